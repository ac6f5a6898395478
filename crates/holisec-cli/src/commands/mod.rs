//! One module per subcommand.

pub mod admin;
pub mod analyze;
pub mod assess;
pub mod db;
pub mod evidence;
pub mod exchange;
pub mod init;
pub mod render;
pub mod report;
pub mod risk;
pub mod schema;
pub mod serve;
pub mod show;
pub mod simulate;
pub mod sweep;
pub mod validate;
