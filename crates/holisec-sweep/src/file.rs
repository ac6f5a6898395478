//! The sweep file: what to vary, how, and what to measure.
//!
//! ```toml
//! [sweep]
//! name = "screen the engineering estimates"
//! scenario = "europe-phishing-ransomware"   # a built-in name, or a path relative to this file
//! design = "morris"                         # grid | lhs | morris | sobol
//! trajectories = 20                         # morris: r trajectories of k + 1 points
//! levels = 4                                # morris and grid: values per parameter
//! replicates = 5
//! seed = 1
//! scale = 0.1
//! estimates = true                          # vary every [E] parameter over its plausible range
//! outputs = ["hospitals_infected", "hospitals_disrupted"]
//!
//! [[vary]]
//! parameter = "worm_contacts_per_day"
//! range = [1.0, 4.0]
//! ```
//!
//! Every problem is reported at once with its place in the file (a
//! [`Diagnostic`] with a byte span), as for model and scenario files.

use std::ops::Range;

use holisec_model::Diagnostic;
use holisec_model::diag::did_you_mean;
use holisec_sim::estimates::ESTIMATE_RANGES;
use holisec_sim::scenario::PARAMETERS;
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Most points a sweep may have (before replicates).
pub const MAX_POINTS: u64 = 100_000;
/// Most replicates per point.
pub const MAX_REPLICATES: u64 = 10_000;

/// Outcomes a sweep can measure: the per-replicate outcomes of a simulation
/// (`holisec simulate --csv`'s `replicates.csv`).
pub const OUTPUTS: &[&str] = &holisec_sim::summary::Metrics::NAMES;

/// How the points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Every combination of `levels` evenly spaced values.
    Grid,
    /// Latin hypercube of `points` points.
    Lhs,
    /// Morris trajectories (screening by elementary effects).
    Morris,
    /// Saltelli's scheme for Sobol indices: `points` x (k + 2) runs.
    Sobol,
}

impl DesignKind {
    const NAMES: [&str; 4] = ["grid", "lhs", "morris", "sobol"];

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "grid" => DesignKind::Grid,
            "lhs" => DesignKind::Lhs,
            "morris" => DesignKind::Morris,
            "sobol" => DesignKind::Sobol,
            _ => return None,
        })
    }
}

/// One varied parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// Key of the scenario's `[parameters]`.
    pub parameter: String,
    /// Low end.
    pub low: f64,
    /// High end.
    pub high: f64,
}

/// A checked sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// Display name.
    pub name: String,
    /// Built-in scenario name or path (relative to the sweep file).
    pub scenario: String,
    /// Model path relative to the sweep file; `None` = the built-in model.
    pub model: Option<String>,
    /// The design.
    pub design: DesignKind,
    /// Latin hypercube points, or Sobol base samples N.
    pub points: u64,
    /// Morris trajectories.
    pub trajectories: u64,
    /// Grid and Morris levels.
    pub levels: u64,
    /// Replicates per point.
    pub replicates: u64,
    /// Sweep seed.
    pub seed: u64,
    /// Scale of the populations (the scenario's when `None`).
    pub scale: Option<f64>,
    /// Simulated days (the scenario's when `None`).
    pub days: Option<u64>,
    /// Varied parameters, in file order (estimates first, in parameter order).
    pub factors: Vec<Factor>,
    /// Measured outcomes.
    pub outputs: Vec<String>,
}

impl Sweep {
    /// Points the design has, before replicates.
    pub fn point_count(&self) -> u64 {
        let k = self.factors.len() as u64;
        match self.design {
            DesignKind::Grid => self.levels.saturating_pow(k.min(64) as u32),
            DesignKind::Lhs => self.points,
            DesignKind::Morris => self.trajectories.saturating_mul(k + 1),
            DesignKind::Sobol => self.points.saturating_mul(k + 2),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWire {
    sweep: SweepWire,
    #[serde(default)]
    vary: Vec<VaryWire>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepWire {
    name: String,
    scenario: String,
    #[serde(default)]
    model: Option<String>,
    design: Spanned<String>,
    #[serde(default)]
    points: Option<Spanned<u64>>,
    #[serde(default)]
    trajectories: Option<Spanned<u64>>,
    #[serde(default)]
    levels: Option<Spanned<u64>>,
    replicates: Spanned<u64>,
    seed: u64,
    #[serde(default)]
    scale: Option<Spanned<f64>>,
    #[serde(default)]
    days: Option<Spanned<u64>>,
    #[serde(default)]
    estimates: bool,
    outputs: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VaryWire {
    parameter: Spanned<String>,
    range: Spanned<Vec<f64>>,
}

/// Reads a sweep file: the sweep, or every diagnostic found.
pub fn load_sweep(text: &str) -> Result<Sweep, Vec<Diagnostic>> {
    let wire: FileWire = match toml::from_str(text) {
        Ok(w) => w,
        Err(e) => {
            let message = e.message().trim().trim_end_matches('.').to_owned();
            return Err(vec![Diagnostic::error(message, e.span())]);
        }
    };
    let mut diags = Vec::new();
    let s = &wire.sweep;
    let err = |diags: &mut Vec<Diagnostic>, span: Range<usize>, msg: String, label: &str| {
        diags.push(Diagnostic::error(msg, Some(span)).with_label(label.to_owned()));
    };

    let design = DesignKind::parse(s.design.get_ref());
    if design.is_none() {
        let mut d = Diagnostic::error(
            format!("unknown design `{}`", s.design.get_ref()),
            Some(s.design.span()),
        )
        .with_label("expected `grid`, `lhs`, `morris` or `sobol`");
        if let Some(b) = did_you_mean(s.design.get_ref(), DesignKind::NAMES) {
            d = d.with_help(format!("did you mean `{b}`?"));
        }
        diags.push(d);
    }
    let count = |diags: &mut Vec<Diagnostic>,
                 v: &Option<Spanned<u64>>,
                 key: &str,
                 min: u64,
                 default: u64| {
        match v {
            Some(v) if *v.get_ref() < min => {
                err(
                    diags,
                    v.span(),
                    format!("`{key}` is {}", v.get_ref()),
                    &format!("expected at least {min}"),
                );
                default
            }
            Some(v) => *v.get_ref(),
            None => default,
        }
    };
    let points = count(&mut diags, &s.points, "points", 2, 64);
    let trajectories = count(&mut diags, &s.trajectories, "trajectories", 2, 10);
    let levels = count(&mut diags, &s.levels, "levels", 2, 4);
    let replicates = *s.replicates.get_ref();
    if replicates == 0 || replicates > MAX_REPLICATES {
        err(
            &mut diags,
            s.replicates.span(),
            format!("`replicates` is {replicates}"),
            &format!("expected 1 to {MAX_REPLICATES}"),
        );
    }
    if let Some(v) = &s.scale {
        let x = *v.get_ref();
        if !(x > 0.0 && x <= holisec_sim::scenario::MAX_SCALE) {
            err(
                &mut diags,
                v.span(),
                format!("`scale` is {x}"),
                "expected more than 0 and at most 10",
            );
        }
    }
    if let Some(v) = &s.days {
        let d = *v.get_ref();
        if d == 0 || d > u64::from(holisec_sim::scenario::MAX_DAYS) {
            err(
                &mut diags,
                v.span(),
                format!("`days` is {d}"),
                "expected 1 to 3650",
            );
        }
    }

    let mut factors: Vec<Factor> = Vec::new();
    if s.estimates {
        factors.extend(ESTIMATE_RANGES.iter().map(|r| Factor {
            parameter: r.key.to_owned(),
            low: r.low,
            high: r.high,
        }));
    }
    let mut explicit: Vec<&str> = Vec::new();
    for v in &wire.vary {
        let key = v.parameter.get_ref().as_str();
        let Some(spec) = PARAMETERS.iter().find(|p| p.key == key) else {
            let mut d = Diagnostic::error(
                format!("unknown parameter `{key}`"),
                Some(v.parameter.span()),
            )
            .with_label("expected a key of the scenario's `[parameters]`");
            if let Some(b) = did_you_mean(key, PARAMETERS.iter().map(|p| p.key)) {
                d = d.with_help(format!("did you mean `{b}`?"));
            }
            diags.push(d);
            continue;
        };
        if explicit.contains(&key) {
            err(
                &mut diags,
                v.parameter.span(),
                format!("parameter `{key}` is varied twice"),
                "expected each parameter once",
            );
            continue;
        }
        explicit.push(key);
        let range = v.range.get_ref();
        let [low, high] = range.as_slice() else {
            err(
                &mut diags,
                v.range.span(),
                format!("`range` has {} values", range.len()),
                "expected [low, high]",
            );
            continue;
        };
        let (low, high) = (*low, *high);
        if !(low.is_finite() && high.is_finite()) || low >= high {
            err(
                &mut diags,
                v.range.span(),
                format!("range [{low}, {high}] of `{key}` is empty or inverted"),
                "expected low < high",
            );
            continue;
        }
        if low < spec.min || high > spec.max {
            err(
                &mut diags,
                v.range.span(),
                format!("range [{low}, {high}] of `{key}` leaves its allowed range"),
                &format!("expected values from {} to {}", spec.min, spec.max),
            );
            continue;
        }
        let factor = Factor {
            parameter: key.to_owned(),
            low,
            high,
        };
        // An explicit range replaces the estimate's.
        match factors.iter_mut().find(|f| f.parameter == key) {
            Some(f) => *f = factor,
            None => factors.push(factor),
        }
    }
    if factors.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::error("the sweep varies no parameter", Some(s.design.span()))
                .with_label("expected `estimates = true` or `[[vary]]` entries"),
        );
    }
    if factors.iter().any(|f| f.parameter == "worm_local_share")
        && factors.iter().any(|f| f.parameter == "worm_national_share")
    {
        let high = |k: &str| {
            factors
                .iter()
                .find(|f| f.parameter == k)
                .map_or(0.0, |f| f.high)
        };
        if high("worm_local_share") + high("worm_national_share") > 1.0 {
            err(
                &mut diags,
                s.design.span(),
                "the high ends of `worm_local_share` and `worm_national_share` add to more than 1"
                    .to_owned(),
                "expected ranges whose high ends add to at most 1 (the rest is the internet's share)",
            );
        }
    }

    let mut outputs = Vec::new();
    if s.outputs.get_ref().is_empty() {
        err(
            &mut diags,
            s.outputs.span(),
            "`outputs` is empty".to_owned(),
            "expected at least one outcome, e.g. [\"hospitals_infected\"]",
        );
    }
    for o in s.outputs.get_ref() {
        let name = o.get_ref().as_str();
        if !OUTPUTS.contains(&name) {
            let mut d = Diagnostic::error(format!("unknown output `{name}`"), Some(o.span()))
                .with_label("expected a per-replicate outcome of the simulator");
            d = match did_you_mean(name, OUTPUTS.iter().copied()) {
                Some(b) => d.with_help(format!("did you mean `{b}`?")),
                None => d.with_help(format!("the outcomes are: {}", OUTPUTS.join(", "))),
            };
            diags.push(d);
        } else if outputs.iter().any(|x| x == name) {
            err(
                &mut diags,
                o.span(),
                format!("output `{name}` is listed twice"),
                "expected each output once",
            );
        } else {
            outputs.push(name.to_owned());
        }
    }

    let sweep = Sweep {
        name: s.name.clone(),
        scenario: s.scenario.clone(),
        model: s.model.clone(),
        design: design.unwrap_or(DesignKind::Lhs),
        points,
        trajectories,
        levels,
        replicates,
        seed: s.seed,
        scale: s.scale.as_ref().map(|v| *v.get_ref()),
        days: s.days.as_ref().map(|v| *v.get_ref()),
        factors,
        outputs,
    };
    if diags.is_empty() && sweep.point_count() > MAX_POINTS {
        let n = sweep.point_count();
        err(
            &mut diags,
            s.design.span(),
            format!(
                "the {} design has {n} points with {} parameters",
                s.design.get_ref(),
                sweep.factors.len()
            ),
            &format!(
                "expected at most {MAX_POINTS} points: fewer levels, points or trajectories, or fewer parameters"
            ),
        );
    }
    if diags.is_empty() {
        Ok(sweep)
    } else {
        Err(diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_col(text: &str, d: &Diagnostic) -> (usize, usize) {
        let at = d.span.clone().unwrap().start;
        let line = text[..at].matches('\n').count() + 1;
        let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
        (line, col)
    }

    const GOOD: &str = r#"[sweep]
name = "t"
scenario = "worm-killswitch"
design = "morris"
trajectories = 3
replicates = 2
seed = 9
estimates = true
outputs = ["hospitals_infected"]

[[vary]]
parameter = "worm_contacts_per_day"
range = [0.5, 8.0]
"#;

    #[test]
    fn estimates_and_explicit_ranges_combine() {
        let s = load_sweep(GOOD).unwrap();
        assert_eq!(s.factors.len(), ESTIMATE_RANGES.len());
        let w = s
            .factors
            .iter()
            .find(|f| f.parameter == "worm_contacts_per_day")
            .unwrap();
        assert_eq!((w.low, w.high), (0.5, 8.0));
        assert_eq!(s.point_count(), 3 * (ESTIMATE_RANGES.len() as u64 + 1));
    }

    #[test]
    fn bad_files_name_line_and_column() {
        let cases: &[(&str, &str, &str, (usize, usize))] = &[
            (
                "\"worm_contacts_per_day\"",
                "\"worm_contact_per_day\"",
                "unknown parameter `worm_contact_per_day`",
                (12, 13),
            ),
            (
                "[0.5, 8.0]",
                "[8.0, 0.5]",
                "range [8, 0.5] of `worm_contacts_per_day` is empty or inverted",
                (13, 9),
            ),
            (
                "[0.5, 8.0]",
                "[0.5, 5000.0]",
                "range [0.5, 5000] of `worm_contacts_per_day` leaves its allowed range",
                (13, 9),
            ),
            ("\"morris\"", "\"moris\"", "unknown design `moris`", (4, 10)),
            (
                "[\"hospitals_infected\"]",
                "[\"hospital_infected\"]",
                "unknown output `hospital_infected`",
                (9, 12),
            ),
            (
                "replicates = 2",
                "replicates = 0",
                "`replicates` is 0",
                (6, 14),
            ),
            (
                "trajectories = 3",
                "trajectories = 3000",
                "the morris design has 156000 points with 51 parameters",
                (4, 10),
            ),
        ];
        for (from, to, message, place) in cases {
            let text = GOOD.replace(from, to);
            let diags = load_sweep(&text).unwrap_err();
            assert_eq!(diags.len(), 1, "{to}: {diags:?}");
            assert_eq!(diags[0].message, *message);
            assert_eq!(line_col(&text, &diags[0]), *place, "{to}");
        }
        let unknown = load_sweep(&GOOD.replace("seed = 9", "seed = 9\ncolour = 1")).unwrap_err();
        assert!(
            unknown[0].message.contains("unknown field `colour`"),
            "{unknown:?}"
        );
        assert_eq!(
            line_col(
                &GOOD.replace("seed = 9", "seed = 9\ncolour = 1"),
                &unknown[0]
            )
            .0,
            8
        );
    }

    #[test]
    fn shipped_sweeps_are_valid() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../sweeps");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let sweep = load_sweep(&text).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
            // A shipped sweep runs in minutes on a 2-core machine at scale 0.1.
            assert!(
                sweep.point_count() * sweep.replicates <= 20_000,
                "{}",
                path.display()
            );
            n += 1;
        }
        assert!(n >= 2);
    }

    #[test]
    fn the_shipped_sobol_sweep_spans_the_estimates_plausible_ranges() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../sweeps/sobol-top-estimates.toml"
        );
        let sweep = load_sweep(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(sweep.design, DesignKind::Sobol);
        assert_eq!(sweep.factors.len(), 6);
        for f in &sweep.factors {
            let r = ESTIMATE_RANGES
                .iter()
                .find(|r| r.key == f.parameter)
                .unwrap_or_else(|| panic!("`{}` is not an estimate", f.parameter));
            assert_eq!((f.low, f.high), (r.low, r.high), "{}", f.parameter);
        }
    }

    #[test]
    fn the_output_list_is_the_simulators_replicate_outcomes() {
        let eco = holisec_model::builtin::europe().ecosystem.unwrap();
        let mut sc = holisec_sim::load_scenario(holisec_sim::builtin::SCENARIOS[0].toml, &eco)
            .scenario
            .unwrap();
        sc.scale = 0.001;
        sc.days = 2;
        sc.replicates = 1;
        let report = holisec_sim::simulate(&eco, &sc, &|_| {}).unwrap();
        let csv = report.replicates_csv();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').skip(1).collect();
        assert_eq!(header, OUTPUTS);
    }
}
