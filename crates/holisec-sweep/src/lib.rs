//! Parameter sweeps of the propagation simulator, without I/O.
//!
//! A sweep file (TOML, [`file`]) names a scenario, the parameters to vary with
//! their ranges (or every engineering estimate over its plausible range,
//! [`holisec_sim::estimates`]), a design and a seed. [`design`] turns it into
//! points: parameter values in their units, each with a seed derived from the
//! sweep seed and the point (shared by the points of a Morris trajectory or a
//! Sobol sample: common random numbers), so any point can be rerun alone with
//! identical results. [`analysis`] computes sensitivity indices (Morris
//! elementary effects, Sobol first and total order) from the points' outputs,
//! with bootstrap confidence intervals.
//!
//! Running the points and storing their results is the front ends' job (the
//! Python package writes Parquet, on one machine or a Dask cluster); this
//! crate only says what to run and how to read the results.

pub mod analysis;
pub mod design;
pub mod file;

pub use design::{Design, Point};
pub use file::{DesignKind, Sweep, load_sweep};
