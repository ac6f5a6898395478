//! A single organisation's incident: targeting one organisation, the share
//! of its IT estate encrypted, the IT switch-offs of national systems and
//! hospitals, recovery by share encrypted, and the replays
//! of public incidents in `scenarios/replays/`.

use std::collections::BTreeSet;

use holisec_model::Ecosystem;
use holisec_sim::engine::{
    check_countries, network, run_on, simulate, switch_off_dependants, synthesise,
};
use holisec_sim::scenario::{Scenario, load_scenario};
use holisec_sim::summary::SimulationReport;
use holisec_sim::synth::{OrgKind, Synth};

fn eco() -> Ecosystem {
    holisec_model::builtin::europe()
        .ecosystem
        .expect("built-in model")
}

fn scenario(text: &str) -> Scenario {
    let loaded = load_scenario(text, &eco());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.scenario.unwrap()
}

fn run(sc: &Scenario) -> (Synth, SimulationReport) {
    let e = eco();
    let syn = synthesise(&e, sc).unwrap();
    check_countries(&syn, sc).unwrap();
    let report = run_on(&syn, sc, &|_| {});
    (syn, report)
}

/// No channel other than the one under test: no mailbox lures, no
/// dependency disruption, no supplier weaponisation, no advisories.
const QUIET: &str = "mailbox_abuse = 0.0\ndependency_disruption = 0.0\nsupplier_weaponise = 0.0\n";

#[test]
fn targeting_one_organisation_infects_only_it_on_day_0() {
    let sc = scenario(&format!(
        r#"
[scenario]
days = 1
replicates = 5
scale = 0.01
[parameters]
{QUIET}
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-DE-3"
start_day = 0
"#
    ));
    assert_eq!(
        sc.campaigns[0].organisation.as_deref(),
        Some("hospital-DE-0003")
    );
    assert_eq!(sc.campaigns[0].target_id, "healthcare-organisations");
    let (_, r) = run(&sc);
    assert_eq!(r.series("ever_infected").unwrap().mean[0], 1.0);
    assert_eq!(r.series("new_footholds").unwrap().p95[0], 1.0);
    for o in &r.organisation_outcomes {
        let expected = if o.id == "hospital-DE-0003" { 1.0 } else { 0.0 };
        assert_eq!(o.p_infected, expected, "{}", o.id);
    }
}

#[test]
fn a_worm_named_to_one_organisation_starts_in_its_segments_only() {
    let sc = scenario(
        r#"
[scenario]
days = 1
replicates = 3
scale = 0.01
[parameters]
worm_contacts_per_day = 0.0
[[campaign]]
vector = "worm"
threat = "state-disruption"
organisation = "national-system-IE"
initial_infections = 3
disclosure_day = 100
"#,
    );
    let (_, r) = run(&sc);
    assert_eq!(r.series("seg_infected").unwrap().mean[0], 3.0);
    let ie = r
        .organisation_outcomes
        .iter()
        .find(|o| o.id == "national-system-IE")
        .unwrap();
    assert_eq!(ie.p_infected, 1.0);
    // 3 of its 16 segments, the worm's whole share.
    assert!(
        (ie.mean_share_encrypted - 3.0 / 16.0).abs() < 1e-6,
        "{ie:?}"
    );
    assert_eq!(r.summary.orgs_infected.mean, 1.0);
}

/// Two campaigns name the same hospital, a third a supplier, a fourth no
/// one: the report follows the two named, each once, replicate by
/// replicate, in each replicate's own network.
#[test]
fn named_organisations_are_reported_replicate_by_replicate() {
    let text = format!(
        r#"
[scenario]
days = 60
replicates = 8
scale = 0.01
[parameters]
{QUIET}
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-FR-2"
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "supplier-3"
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-FR-0002"
start_day = 10
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
org_share = 0.01
staff_share = 0.01
"#
    );
    let sc = scenario(&text);
    let e = eco();
    let r = holisec_sim::simulate(&e, &sc, &|_| {}).unwrap();
    let ids: Vec<&str> = r.named.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["hospital-FR-0002", "supplier-0003"]);
    let reps = f64::from(sc.replicates);
    for named in &r.named {
        assert_eq!(named.runs.len(), sc.replicates as usize);
        // The per-organisation means are these runs' means.
        let o = r
            .organisation_outcomes
            .iter()
            .find(|o| o.id == named.id)
            .unwrap();
        assert_eq!(f64::from(named.infected) / reps, o.p_infected);
        assert_eq!(f64::from(named.disrupted) / reps, o.p_disrupted);
        assert_eq!(f64::from(named.switched_off) / reps, o.p_switched_off);
        let mean = |f: fn(&holisec_sim::summary::NamedRun) -> f32| {
            named.runs.iter().map(|x| f64::from(f(x))).sum::<f64>() / reps
        };
        assert!((mean(|x| x.share_encrypted) - o.mean_share_encrypted).abs() < 1e-9);
        assert!((mean(|x| x.days_disrupted) - o.mean_disrupted_days).abs() < 1e-6);
        // Shares and days over the runs where they happened only.
        let encrypted: Vec<f64> = named
            .runs
            .iter()
            .filter(|x| x.encrypted)
            .map(|x| f64::from(x.share_encrypted))
            .collect();
        assert_eq!(encrypted.len(), named.encrypted as usize);
        if !encrypted.is_empty() {
            let m = encrypted.iter().sum::<f64>() / encrypted.len() as f64;
            assert!((named.share_encrypted.mean - m).abs() < 1e-12);
            assert!(encrypted.iter().all(|&x| x > 0.0 && x <= 1.0));
        }
        for x in &named.runs {
            assert!(!x.encrypted || x.infected, "{x:?}");
            assert_eq!(x.disrupted, x.days_disrupted > 0.0, "{x:?}");
        }
    }
    let hospital = &r.named[0];
    assert_eq!(hospital.infected, sc.replicates, "intruded on day 0");
    assert!(hospital.encrypted >= 1, "{hospital:?}");
    // Each replicate draws its own network, so its own hospital sizes.
    for replicate in [0, 5] {
        let syn = holisec_sim::engine::network(&e, &sc, replicate).unwrap();
        let o = syn.org_by_id("hospital-FR-0002").unwrap();
        let run = &hospital.runs[replicate as usize];
        assert_eq!(run.staff as usize, syn.staff_of(o).len());
        assert_eq!(run.segments as usize, syn.segs_of(o).len());
    }
    let sizes: BTreeSet<u32> = hospital.runs.iter().map(|x| x.staff).collect();
    assert!(sizes.len() > 1, "{sizes:?}");
    let csv = r.named_csv();
    assert_eq!(csv.lines().count(), 1 + 2 * sc.replicates as usize);
    assert!(csv.starts_with("organisation,replicate,staff,segments,infected,"));
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("hospital-FR-0002,0,")
    );
}

/// `[[organisation]]` gives a named hospital its published size in every
/// replicate's network (staff times the scale; segments as given or
/// following the staff), and refuses one missing at the scale.
#[test]
fn a_named_organisation_keeps_the_size_the_scenario_gives_it() {
    let text = |size: &str| {
        format!(
            r#"
[scenario]
days = 30
replicates = 4
scale = 0.1
[[organisation]]
id = "hospital-DE-0040"
{size}
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-DE-0040"
"#
        )
    };
    let e = eco();
    let runs = |size: &str| {
        let sc = scenario(&text(size));
        holisec_sim::simulate(&e, &sc, &|_| {}).unwrap().named[0]
            .runs
            .iter()
            .map(|r| (r.staff, r.segments))
            .collect::<Vec<_>>()
    };
    // 5,500 staff at scale 0.1: 550, so ceil(550 / 150) = 4 segments.
    assert_eq!(runs("staff = 5500"), vec![(550, 4); 4]);
    let given = runs("staff = 5500\nsegments = 30");
    assert_eq!(given, vec![(550, 30); 4]);
    // Segments alone: the staff stay each network's own draw.
    let segments_only = runs("segments = 12");
    assert!(segments_only.iter().all(|&(_, k)| k == 12));
    let staff: BTreeSet<u32> = segments_only.iter().map(|&(s, _)| s).collect();
    assert!(staff.len() > 1, "{segments_only:?}");
    // Not at this scale: the message says what exists.
    let mut sc = scenario(&text("staff = 10"));
    sc.organisations[0].id = "hospital-IE-0500".into();
    sc.campaigns[0].organisation = None;
    let err = holisec_sim::simulate(&e, &sc, &|_| {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`[[organisation]]`: organisation `hospital-IE-0500` is not in the synthetic ecosystem at scale 0.1"),
        "{err}"
    );
    assert!(err.contains("hospital-IE-0000 to hospital-IE-"), "{err}");
}

#[test]
fn a_supplier_serves_the_clients_the_scenario_gives_it() {
    let text = |clients: &str| {
        format!(
            r#"
[scenario]
days = 60
replicates = 4
scale = 0.1
[parameters]
detect_days = 3650.0
encrypt_rate = 1.0
supplier_weaponise = 0.0
mailbox_abuse = 0.0
[interventions]
sharing = "none"
[[organisation]]
id = "supplier-0050"
{clients}
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "supplier-0050"
sole_provider = true
"#
        )
    };
    let e = eco();
    let given = "clients = { country = \"IE\", hospitals = 30, primary_care = 400 }";
    let sc = scenario(&text(given));
    let plain = scenario(&text("segments = 4"));
    let mut drawn = Vec::new();
    for r in 0..sc.replicates as u64 {
        let syn = holisec_sim::engine::network(&e, &sc, r).unwrap();
        let s = syn.org_by_id("supplier-0050").unwrap();
        let local = s - syn.suppliers.start as usize;
        let clients = syn.clients.row(local).to_vec();
        // 30 and 400 at scale 0.1: 3 hospitals and 40 primary-care organisations of Ireland.
        let ie = syn.countries.iter().position(|c| c.code == "IE").unwrap();
        let count = |k: OrgKind| {
            clients
                .iter()
                .filter(|&&o| syn.kind[o as usize] == k)
                .count()
        };
        assert_eq!(
            (count(OrgKind::Hospital), count(OrgKind::PrimaryCare)),
            (3, 40)
        );
        assert!(
            clients
                .iter()
                .all(|&o| syn.country[o as usize] as usize == ie)
        );
        assert!(
            clients.windows(2).all(|w| w[0] < w[1]),
            "ascending, no repeat"
        );
        assert_eq!(
            syn.country[s] as usize, ie,
            "its home is its clients' country"
        );
        // Who lists it as a supplier is exactly its clients.
        let listing: Vec<u32> = (0..syn.len() as u32)
            .filter(|&o| syn.suppliers_of.row(o as usize).contains(&(s as u32)))
            .collect();
        assert_eq!(listing, clients);
        // Every other supplier keeps the clients of the same network without the entry.
        let other = holisec_sim::engine::network(&e, &plain, r).unwrap();
        for i in (0..syn.suppliers.len()).filter(|&i| i != local) {
            assert_eq!(syn.clients.row(i), other.clients.row(i), "supplier {i}");
        }
        for o in (0..syn.len()).filter(|&o| !clients.contains(&(o as u32))) {
            let without: Vec<u32> = other
                .suppliers_of
                .row(o)
                .iter()
                .copied()
                .filter(|&x| x as usize != s)
                .collect();
            assert_eq!(syn.suppliers_of.row(o), &without[..], "organisation {o}");
        }
        // A larger count keeps the clients of the smaller one.
        let more = scenario(&text(
            "clients = { country = \"IE\", hospitals = 50, primary_care = 400 }",
        ));
        let bigger = holisec_sim::engine::network(&e, &more, r).unwrap();
        let bigger = bigger.clients.row(local);
        assert_eq!(bigger.len(), 45);
        assert!(clients.iter().all(|c| bigger.contains(c)));
        drawn.push(clients);
    }
    assert!(
        drawn.windows(2).any(|w| w[0] != w[1]),
        "each network draws its own clients"
    );
    // Only the supplier and its clients lose care: no push, no lure, no alert.
    let report = holisec_sim::simulate(&e, &sc, &|_| {}).unwrap();
    let syn = holisec_sim::engine::network(&e, &sc, 0).unwrap();
    let disrupted: Vec<&str> = report
        .organisation_outcomes
        .iter()
        .filter(|o| o.p_disrupted > 0.0)
        .map(|o| o.id.as_str())
        .collect();
    assert!(!disrupted.is_empty());
    let clients_of_first: BTreeSet<String> = syn
        .clients
        .row(syn.org_by_id("supplier-0050").unwrap() - syn.suppliers.start as usize)
        .iter()
        .map(|&o| syn.org_id(o as usize))
        .collect();
    assert!(
        disrupted.iter().all(|id| id.starts_with("hospital-IE-")
            || id.starts_with("primary-care-IE-")
            || *id == "supplier-0050"),
        "{disrupted:?}"
    );
    // The first replicate's clients lost the laboratory once it was
    // encrypted, each with the relation's strength (0.8 in the built-in
    // model): most of the 43, not all of them.
    assert!(report.named[0].runs[0].encrypted);
    let lost = clients_of_first
        .iter()
        .filter(|id| disrupted.contains(&id.as_str()))
        .count();
    assert!(lost > 43 / 2, "{lost} of {}", clients_of_first.len());
    // More clients than the country has: refused with the counts.
    let too_many = scenario(&text("clients = { country = \"IE\", hospitals = 5000 }"));
    let err = holisec_sim::simulate(&e, &too_many, &|_| {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`[[organisation]]` `supplier-0050`: 500 client hospitals in IE at scale 0.1 (5000 at scale 1), where the synthetic ecosystem has"),
        "{err}"
    );
    // A model with three national health systems has no Ireland to serve.
    let mut three = eco();
    for s in &mut three.stakeholders {
        if s.kind == holisec_model::StakeholderKind::NationalHealthSystem {
            s.population.as_mut().unwrap().value = 3.0;
        }
    }
    let err = holisec_sim::engine::network(&three, &sc, 0)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`supplier-0050`: its clients' country `IE` is not in the synthetic ecosystem, which has the model's 3 national health systems"),
        "{err}"
    );
}

#[test]
fn a_run_naming_no_organisation_reports_none() {
    let sc = scenario(
        r#"
[scenario]
days = 5
replicates = 2
scale = 0.01
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
"#,
    );
    let (_, r) = run(&sc);
    assert!(r.named.is_empty());
    assert_eq!(r.named_csv().lines().count(), 1);
}

#[test]
fn an_organisation_missing_at_the_scale_is_refused_naming_the_range() {
    let sc = scenario(
        r#"
[scenario]
scale = 0.05
[[campaign]]
threat = "ransomware"
organisation = "hospital-IE-0500"
"#,
    );
    let e = eco();
    let syn = synthesise(&e, &sc).unwrap();
    let err = check_countries(&syn, &sc).unwrap_err().to_string();
    assert!(err.contains("`hospital-IE-0500`"), "{err}");
    assert!(err.contains("scale 0.05"), "{err}");
    assert!(err.contains("hospital-IE-0000 to hospital-IE-"), "{err}");
}

/// Every hospital gets a foothold on day 0 and detonates exactly
/// `dwell_days` after domain control, contained at once; nothing is
/// detected. Each further segment is reachable with a probability of mean
/// `reachable` (Beta of concentration `concentration` per intrusion) and
/// reached after an exponential time of mean `segment_reach_days`, so a
/// hospital of `n` segments has in expectation `(1 + (n - 1) reachable (1 -
/// exp(-dwell / reach))) / n` of them encrypted.
fn reachable_share_run(
    reach: f64,
    reachable: f64,
    concentration: f64,
    (replicates, scale): (u32, f64),
) -> (Synth, SimulationReport) {
    let sc = scenario(&format!(
        r#"
[scenario]
days = 20
replicates = {replicates}
scale = {scale:?}
seed = 3
[parameters]
{QUIET}
foothold_success = 1.0
dwell_days = 10.0
dwell_sigma = 0.0
dwell_slow_share = 0.0
detect_days = 3650.0
containment_days = 0.0
encrypt_rate = 1.0
segment_reach_days = {reach:?}
segment_reachable = {reachable:?}
segment_reachable_concentration = {concentration:?}
[[campaign]]
vector = "intrusion"
threat = "ransomware"
target = "healthcare-organisations"
org_share = 1.0
"#
    ));
    run(&sc)
}

/// [`reachable_share_run`] with every segment reachable.
fn encrypted_share_run(reach: f64) -> (Synth, SimulationReport) {
    reachable_share_run(reach, 1.0, 0.0, (20, 0.01))
}

/// Sum over hospitals of the closed-form expected share encrypted, and of
/// the shares the run gave.
fn expected_and_got(rows: &[(usize, f64)], reachable: f64, reached: f64) -> (f64, f64) {
    let expected = rows
        .iter()
        .map(|&(n, _)| (1.0 + (n as f64 - 1.0) * reachable * reached) / n as f64)
        .sum();
    (expected, rows.iter().map(|r| r.1).sum())
}

fn hospital_shares(syn: &Synth, r: &SimulationReport) -> Vec<(usize, f64)> {
    (0..syn.len())
        .filter(|&o| syn.kind[o] == OrgKind::Hospital)
        .map(|o| {
            (
                syn.segs_of(o).len(),
                r.organisation_outcomes[o].mean_share_encrypted,
            )
        })
        .collect()
}

#[test]
fn encrypted_share_grows_as_the_closed_form_says() {
    let (syn, r) = encrypted_share_run(10.0);
    let q = 1.0 - (-1.0f64).exp();
    let rows = hospital_shares(&syn, &r);
    let (expected, got) = expected_and_got(&rows, 1.0, q);
    assert!(
        (got / expected - 1.0).abs() < 0.03,
        "got {got}, expected {expected} over {} hospitals",
        rows.len()
    );
    assert!(r.summary.hospitals_over_half_encrypted.mean > 0.0);
}

#[test]
fn encrypted_share_limits_are_all_and_one_segment() {
    // Reaching at once: every hospital encrypted is fully encrypted (the
    // rare intrusion detected first, with a mean of 3650 days, is not).
    let (syn, r) = encrypted_share_run(0.0);
    for (n, share) in hospital_shares(&syn, &r) {
        assert!(share >= 0.9, "{n} segments: {share}");
    }
    assert!((r.summary.mean_share_encrypted.mean - 1.0).abs() < 1e-3);
    // Reaching never (within the dwell): only the detonation segment.
    let (syn, r) = encrypted_share_run(3650.0);
    for (n, share) in hospital_shares(&syn, &r) {
        assert!(
            (share - 1.0 / n as f64).abs() < 0.03,
            "{n} segments: {share}"
        );
    }
    // Only a two-segment hospital whose second segment is reached (0.3%).
    assert!(r.summary.hospitals_over_half_encrypted.mean < 2.0);
}

#[test]
fn the_reachable_share_caps_encryption_as_the_closed_form_says() {
    // Everything reachable is reached at once: the share is the reachable
    // one, fixed (concentration 0) or drawn per intrusion (same mean).
    for concentration in [0.0, 2.0] {
        let (syn, r) = reachable_share_run(0.0, 0.6, concentration, (20, 0.01));
        let rows = hospital_shares(&syn, &r);
        let (expected, got) = expected_and_got(&rows, 0.6, 1.0);
        assert!(
            (got / expected - 1.0).abs() < 0.03,
            "concentration {concentration}: got {got}, expected {expected}"
        );
    }
    // One intrusion per hospital (one replicate): fixed at 0.6, no hospital
    // of 20 segments or more is over 95% encrypted (0.6^19 for each); drawn
    // per intrusion with concentration 0.5, some estates are nearly flat.
    let large_over_95 = |concentration: f64| {
        let (syn, r) = reachable_share_run(0.0, 0.6, concentration, (1, 0.2));
        let rows = hospital_shares(&syn, &r);
        let large: Vec<_> = rows.iter().filter(|&&(n, _)| n >= 20).collect();
        assert!(large.len() >= 20, "{} large hospitals", large.len());
        large.iter().filter(|&&&(_, share)| share > 0.95).count()
    };
    assert_eq!(large_over_95(0.0), 0);
    let flat = large_over_95(0.5);
    assert!(flat >= 3, "{flat} nearly flat estates");
}

/// `hospital-DE-0003` attacked once on day 0 by an intrusion that takes
/// domain control at once, detonates a day later undetected and encrypts,
/// every segment reachable in `segment_reach_days` `reach`, contained at
/// detonation; `more` adds parameter lines. Runs it over `replicates` on one
/// network and returns the network, the hospital and the report.
fn one_hospital_encrypted(
    days: u32,
    replicates: u32,
    reach: f64,
    more: &str,
) -> (Synth, usize, SimulationReport) {
    let sc = scenario(&format!(
        r#"
[scenario]
days = {days}
replicates = {replicates}
scale = 0.01
[parameters]
{QUIET}
dwell_days = 1.0
dwell_sigma = 0.0
dwell_slow_share = 0.0
detect_days = 3650.0
encrypt_rate = 1.0
segment_reach_days = {reach:?}
segment_reachable = 1.0
containment_days = 0.0
{more}
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-DE-0003"
"#
    ));
    let (syn, r) = run(&sc);
    let o = syn.org_by_id("hospital-DE-0003").unwrap();
    (syn, o, r)
}

/// One hospital encrypted, contained and recovered at once after impact:
/// it is disrupted for `recovery_median_days` x the multiplier of its share.
fn recovery_days_of_one_hospital(reach: f64, weight: f64) -> (usize, f64) {
    let more = format!(
        "forensics_days = 0.0\nrecovery_median_days = 20.0\nrecovery_sigma = 0.0\n\
         recovery_share_weight = {weight:?}\ncritical_segment_share = 1.0"
    );
    let (syn, o, r) = one_hospital_encrypted(200, 2, reach, &more);
    (
        syn.segs_of(o).len(),
        r.organisation_outcomes[o].mean_disrupted_days,
    )
}

#[test]
fn recovery_takes_longer_the_more_is_encrypted() {
    let reference = holisec_sim::engine::RECOVERY_REFERENCE_SHARE;
    // All of the estate at once.
    let (_, days) = recovery_days_of_one_hospital(0.0, 0.5);
    let expected = 20.0 * (0.5 + 0.5 / reference);
    assert!((days - expected).abs() < 1e-3, "{days} vs {expected}");
    // Only the detonation segment (nothing else reached in 10 years).
    let (n, days) = recovery_days_of_one_hospital(3650.0, 0.5);
    assert!(n >= 2);
    let expected = 20.0 * (0.5 + 0.5 / (n as f64 * reference));
    assert!((days - expected).abs() < 0.01, "{days} vs {expected}");
    // Weight 0: the share does not matter.
    let (_, days) = recovery_days_of_one_hospital(3650.0, 0.0);
    assert!((days - 20.0).abs() < 1e-3, "{days}");
}

/// One hospital encrypted at impact in each of 800 replicates, with
/// `critical_segment_share` `critical` and either only the detonation
/// segment (`reach` 3650 days: nothing else reached) or the whole estate
/// (`reach` 0): its segments, its care-critical segments, and the share of
/// replicates in which its care was disrupted.
fn care_disrupted_share(critical: f64, reach: f64) -> (usize, usize, f64) {
    let more = format!("critical_segment_share = {critical:?}");
    let (syn, o, r) = one_hospital_encrypted(30, 800, reach, &more);
    let n = syn.segs_of(o).len();
    let p = holisec_sim::scenario::Parameters {
        critical_segment_share: critical,
        ..Default::default()
    };
    let m = holisec_sim::engine::critical_segments(&p, n);
    // Encrypted in every replicate: one segment, or all of them. With a
    // reach of 3,650 days a further segment is still reached, rarely, in
    // the day between domain control and detonation (about 1 replicate in
    // 3,650 per segment), so the mean may exceed one segment's share by a
    // few further segments: at most two whole estates over the 800
    // replicates (seed 1: three further segments of a three-segment estate).
    let share = if reach > 0.0 { 1.0 / n as f64 } else { 1.0 };
    let mean_share = r.organisation_outcomes[o].mean_share_encrypted;
    let further = 2.0 / 800.0;
    assert!(
        mean_share > share - 1e-6 && mean_share < share + further + 1e-6,
        "{mean_share} vs {share}"
    );
    (n, m, r.organisation_outcomes[o].p_disrupted)
}

#[test]
fn encryption_disrupts_care_once_it_reaches_a_critical_segment() {
    // Only the detonation segment: care is disrupted when that segment is
    // one of the m critical ones of n, with probability m / n.
    let (n, m, p) = care_disrupted_share(0.25, 3650.0);
    assert!(n >= 2 && m < n, "{n} segments, {m} critical");
    let q = m as f64 / n as f64;
    let sd = (q * (1.0 - q) / 800.0).sqrt();
    assert!((p - q).abs() < 4.5 * sd, "{p} vs {q} ({m} of {n})");
    // Every segment critical, or the whole estate encrypted: always.
    assert_eq!(care_disrupted_share(1.0, 3650.0).2, 1.0);
    assert_eq!(care_disrupted_share(0.25, 0.0).2, 1.0);
}

/// A national system encrypted in one segment of its 16, never switched
/// off, with every dependant losing its services while its care is down:
/// the dependants are disrupted in exactly the replicates in which that
/// segment was a care-critical one (about m/n of them), and in no other.
#[test]
fn dependants_lose_services_only_when_care_critical_systems_are_encrypted() {
    let sc = scenario(
        r#"
[scenario]
days = 30
replicates = 200
scale = 0.05
[parameters]
mailbox_abuse = 0.0
supplier_weaponise = 0.0
dependency_disruption = 1.0
dwell_days = 1.0
dwell_sigma = 0.0
dwell_slow_share = 0.0
detect_days = 3650.0
encrypt_rate = 1.0
segment_reach_days = 3650.0
segment_reachable = 1.0
containment_days = 0.0
switch_off_detect = 0.0
switch_off_threshold = 1.0
critical_segment_share = 0.25
[[campaign]]
vector = "intrusion"
threat = "ransomware-national"
organisation = "national-system-IE"
"#,
    );
    let (syn, r) = run(&sc);
    let national = syn.org_by_id("national-system-IE").unwrap();
    let n = syn.segs_of(national).len();
    let m = holisec_sim::engine::critical_segments(&sc.parameters, n);
    assert!(m < n, "{m} of {n}");
    let disrupted: Vec<f64> = r.per_replicate.iter().map(|x| x.orgs_disrupted).collect();
    let hit = disrupted.iter().filter(|&&d| d > 0.0).count();
    // All or nothing: the national system and most of its dependants.
    assert!(
        disrupted.iter().all(|&d| d == 0.0 || d > 10.0),
        "{disrupted:?}"
    );
    let p = r.organisation_outcomes[national].p_disrupted;
    assert!((p - hit as f64 / 200.0).abs() < 1e-12, "{p} vs {hit}");
    let q = m as f64 / n as f64;
    let sd = (q * (1.0 - q) / 200.0).sqrt();
    assert!((p - q).abs() < 4.5 * sd, "{p} vs {q}");
}

/// One supplier encrypted on day 1, everything at once, on one network:
/// the probability that it was, and per client the relation's strength and
/// the probability that it lost the supplier's service.
fn clients_disrupted(sole_provider: bool) -> (f64, Vec<(f64, bool)>, Vec<f64>) {
    let (syn, r) = one_supplier_encrypted(Some(sole_provider), 0.0);
    let supplier = syn.org_by_id("supplier-0003").unwrap();
    // Nearly always: now and then the intrusion is contained first.
    let encrypted = r.organisation_outcomes[supplier].p_disrupted;
    assert!(encrypted > 0.9, "{encrypted}");
    let clients = syn.clients.row(supplier - syn.suppliers.start as usize);
    assert!(clients.len() > 20, "{} clients", clients.len());
    let strengths = clients
        .iter()
        .map(|&c| {
            let c = c as usize;
            (
                syn.channels.supplies(syn.kind[c]),
                syn.country[c] == syn.country[supplier],
            )
        })
        .collect();
    let got = clients
        .iter()
        .map(|&c| r.organisation_outcomes[c as usize].p_disrupted)
        .collect();
    (encrypted, strengths, got)
}

/// The run of [`clients_disrupted`]: `supplier-0003` said by the campaign
/// to be a sole provider or not, or left to the network's draw (`None`),
/// in networks that draw `share` of the suppliers as sole providers.
fn one_supplier_encrypted(sole_provider: Option<bool>, share: f64) -> (Synth, SimulationReport) {
    let sole_provider = sole_provider.map_or(String::new(), |s| format!("sole_provider = {s}"));
    let sc = scenario(&format!(
        r#"
[scenario]
days = 30
replicates = 100
scale = 0.2
fixed_network = true
[parameters]
mailbox_abuse = 0.0
supplier_weaponise = 0.0
dependency_disruption = 0.1
disconnect_rate = 0.0
dwell_days = 1.0
dwell_sigma = 0.0
dwell_slow_share = 0.0
detect_days = 3650.0
encrypt_rate = 1.0
segment_reach_days = 0.0
segment_reachable = 1.0
containment_days = 0.0
critical_segment_share = 1.0
switch_off_detect = 0.0
sole_provider_share = {share}
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "supplier-0003"
{sole_provider}
"#
    ));
    run(&sc)
}

/// A supplier the network draws as a sole provider (`sole_provider_share`)
/// is one a campaign names so, draw for draw; a campaign saying it is not
/// one overrides the draw; an ordinary one is not, and only sole providers'
/// losses are counted.
#[test]
fn a_sole_provider_drawn_by_the_network_is_one_named_by_the_campaign() {
    let (syn, named) = one_supplier_encrypted(Some(true), 0.0);
    let (drawn_syn, drawn) = one_supplier_encrypted(None, 1.0);
    let (_, ordinary) = one_supplier_encrypted(None, 0.0);
    let (_, said_not) = one_supplier_encrypted(Some(false), 1.0);
    assert!(syn.sole_provider.iter().all(|&s| !s));
    assert!(drawn_syn.sole_provider.iter().all(|&s| s));
    assert_eq!(
        drawn.ecosystem.sole_providers,
        syn.sole_provider.len() as u64
    );
    assert_eq!(named.ecosystem.sole_providers, 0);
    let p = |r: &SimulationReport| {
        r.organisation_outcomes
            .iter()
            .map(|o| o.p_disrupted)
            .collect::<Vec<_>>()
    };
    assert_eq!(p(&named), p(&drawn));
    // Bit for bit (a metric can be NaN, e.g. no containment).
    let bits = |r: &SimulationReport| {
        r.per_replicate
            .iter()
            .map(|m| m.values().map(f64::to_bits))
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&named), bits(&drawn));
    assert_eq!(bits(&ordinary), bits(&said_not));
    assert_eq!(p(&ordinary), p(&said_not));
    // Each replicate in which the supplier's care-critical segment went
    // down (nearly all of them) counts one loss.
    let losses = named.summary.sole_provider_losses.mean;
    assert!(losses > 0.9 && losses <= 1.0, "{losses}");
    assert_eq!(ordinary.summary.sole_provider_losses.mean, 0.0);
    assert!(
        ordinary.summary.orgs_disrupted.mean + 3.0 < named.summary.orgs_disrupted.mean,
        "{} against {}",
        ordinary.summary.orgs_disrupted.mean,
        named.summary.orgs_disrupted.mean
    );
}

/// A sole provider's clients in its home country each lose its service
/// with the relation's strength, its clients abroad and an ordinary
/// supplier's with `dependency_disruption` x strength (given the supplier's
/// encryption, the number of clients disrupted in a replicate is a sum of
/// Bernoullis; the encryption itself is one more).
#[test]
fn a_sole_providers_clients_lose_its_service_with_the_relations_strength() {
    let replicates = 100.0;
    for sole in [true, false] {
        let (p, clients, got) = clients_disrupted(sole);
        for home in [true, false] {
            let rate = if sole && home { 1.0 } else { 0.1 };
            let (strengths, got): (Vec<f64>, Vec<f64>) = clients
                .iter()
                .zip(&got)
                .filter(|((_, h), _)| *h == home)
                .map(|((s, _), g)| (rate * s, *g))
                .unzip();
            assert!(
                strengths.len() >= 2,
                "home {home}: {} clients",
                strengths.len()
            );
            let given: f64 = strengths.iter().sum();
            let expected = p * given;
            let variance = p * strengths.iter().map(|q| q * (1.0 - q)).sum::<f64>()
                + p * (1.0 - p) * given * given;
            let mean: f64 = got.iter().sum();
            let sd = (variance / replicates).sqrt();
            assert!(
                (mean - expected).abs() < 4.5 * sd,
                "sole {sole}, home {home}: {mean} clients disrupted per replicate, expected {expected} (sd {sd})"
            );
        }
    }
}

#[test]
fn a_national_switch_off_cuts_off_primary_care_by_its_own_share() {
    let e = eco();
    let sc = scenario("[scenario]\nscale = 0.2\n");
    let syn = synthesise(&e, &sc).unwrap();
    let national = syn.org_by_id("national-system-IE").unwrap();
    let ie = &syn.countries[syn.country[national] as usize];
    let strength = syn.channels.national_care;
    let cut = |share: f64| {
        let mut p = sc.parameters.clone();
        p.switch_off_primary_care = share;
        let all = switch_off_dependants(&syn, &p, national);
        let (hospitals, primary): (Vec<u32>, Vec<u32>) =
            all.into_iter().partition(|&o| ie.hospitals.contains(&o));
        assert!(primary.iter().all(|o| ie.primary_care.contains(o)));
        (hospitals, primary)
    };
    let within = |count: usize, of: usize, q: f64| {
        let sd = (of as f64 * q * (1.0 - q)).sqrt();
        (count as f64 - of as f64 * q).abs() < 4.5 * sd + 1.0
    };
    let (h0, p0) = cut(0.0);
    let (h1, p1) = cut(1.0);
    let (h, p) = cut(0.1);
    // Hospitals depend on the national IT whatever primary care does.
    assert_eq!(h0, h1);
    assert_eq!(h, h1);
    assert!(within(h.len(), ie.hospitals.len(), strength), "{}", h.len());
    // Primary care: none, all that depend on it, or a tenth of those (the
    // same draws, so a subset).
    assert!(p0.is_empty());
    let care = ie.primary_care.len();
    assert!(within(p1.len(), care, strength), "{} of {care}", p1.len());
    assert!(
        within(p.len(), care, strength * 0.1),
        "{} of {care}",
        p.len()
    );
    assert!(p.iter().all(|o| p1.contains(o)));
}

#[test]
fn a_hospital_switches_its_it_off_on_a_detected_domain_compromise() {
    let sc = scenario(&format!(
        r#"
[scenario]
days = 60
replicates = 3
scale = 0.01
[parameters]
{QUIET}
breakout_hours = 0.0
domain_hours = 0.0
dwell_days = 1000.0
dwell_sigma = 0.0
dwell_slow_share = 0.0
detect_days = 2.0
switch_off_detect = 1.0
switch_off_min_days = 4.0
cleanup_days = 0.0
[[campaign]]
vector = "intrusion"
threat = "ransomware"
organisation = "hospital-DE-0003"
"#
    ));
    let (syn, r) = run(&sc);
    let o = syn.org_by_id("hospital-DE-0003").unwrap();
    assert_eq!(r.summary.switch_offs.mean, 1.0);
    // A hospital cuts off only itself, for `switch_off_min_days`.
    assert_eq!(r.summary.orgs_disrupted_by_switch_off.mean, 1.0);
    for (i, out) in r.organisation_outcomes.iter().enumerate() {
        let expected = if i == o { 1.0 } else { 0.0 };
        assert_eq!(out.p_switched_off, expected, "{}", out.id);
        assert_eq!(out.p_disrupted, expected, "{}", out.id);
    }
    let days = r.organisation_outcomes[o].mean_disrupted_days;
    assert!((days - 4.0).abs() < 1e-3, "{days}");
    assert!((r.summary.switch_off_days.mean - 4.0).abs() < 1e-3);
    // Never switching off: the same detection leaves it undisrupted.
    let mut never = sc.clone();
    never.parameters.switch_off_detect = 0.0;
    let (_, r) = run(&never);
    assert_eq!(r.summary.switch_offs.mean, 0.0);
    assert_eq!(r.organisation_outcomes[o].p_disrupted, 0.0);
}

/// Ireland's national system fully encrypted two days after one intrusion,
/// undetected, switching its IT off; restoration 2 + lognormal(10 days,
/// `sigma`) for each organisation cut off.
fn national_switch_off(days: u32, replicates: u32, scale: f64, sigma: f64) -> Scenario {
    scenario(&format!(
        r#"
[scenario]
days = {days}
replicates = {replicates}
scale = {scale:?}
seed = 9
[parameters]
{QUIET}
dwell_days = 2.0
dwell_sigma = 0.0
dwell_slow_share = 0.0
detect_days = 3650.0
encrypt_rate = 1.0
segment_reach_days = 0.0
segment_reachable = 1.0
switch_off_threshold = 0.5
switch_off_min_days = 2.0
restore_median_days = 10.0
restore_sigma = {sigma:?}
containment_days = 1.0
[[campaign]]
vector = "intrusion"
threat = "ransomware-national"
organisation = "national-system-IE"
"#
    ))
}

/// Restoration is staged: each organisation cut off comes back at its own
/// time, so their days cut off spread out, and their mean is the
/// lognormal's, 2 + 10 x exp(sigma^2 / 2).
#[test]
fn organisations_cut_off_are_restored_each_at_its_own_time() {
    let sigma: f64 = 0.8;
    let sc = national_switch_off(400, 1, 0.5, sigma);
    let (syn, r) = run(&sc);
    let national = syn.org_by_id("national-system-IE").unwrap();
    let dependants = switch_off_dependants(&syn, &sc.parameters, national);
    let days: Vec<f64> = dependants
        .iter()
        .map(|&d| r.organisation_outcomes[d as usize].mean_disrupted_days)
        .collect();
    assert!(days.len() >= 50, "{} dependants", days.len());
    let mut distinct = days.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert!(distinct.len() > days.len() * 9 / 10, "{distinct:?}");
    let n = days.len() as f64;
    let mean = days.iter().sum::<f64>() / n;
    let expected = 2.0 + 10.0 * (sigma * sigma / 2.0).exp();
    let sd = 10.0 * (((sigma * sigma).exp() - 1.0) * (sigma * sigma).exp()).sqrt();
    assert!(
        (mean - expected).abs() < 5.0 * sd / n.sqrt(),
        "{mean} vs {expected}"
    );
    assert!(days.iter().all(|&d| d > 2.0));
}

#[test]
fn a_switch_off_disrupts_exactly_the_national_systems_dependants() {
    let sc = national_switch_off(40, 3, 0.02, 0.0);
    let (syn, r) = run(&sc);
    let national = syn.org_by_id("national-system-IE").unwrap();
    let dependants = switch_off_dependants(&syn, &sc.parameters, national);
    let ie = &syn.countries[syn.country[national] as usize];
    let care = (ie.primary_care.end - ie.hospitals.start) as usize;
    assert!(!dependants.is_empty() && dependants.len() < care);
    for &d in &dependants {
        assert!(ie.hospitals.start <= d && d < ie.primary_care.end);
    }
    let expected: BTreeSet<usize> = dependants
        .iter()
        .map(|&d| d as usize)
        .chain([national])
        .collect();
    let disrupted: BTreeSet<usize> = (0..syn.len())
        .filter(|&o| r.organisation_outcomes[o].p_disrupted > 0.0)
        .collect();
    assert_eq!(disrupted, expected);
    let switched: BTreeSet<usize> = (0..syn.len())
        .filter(|&o| r.organisation_outcomes[o].p_switched_off > 0.0)
        .collect();
    assert_eq!(switched, expected);
    assert_eq!(r.summary.switch_offs.mean, 1.0);
    assert_eq!(
        r.summary.orgs_disrupted_by_switch_off.mean,
        expected.len() as f64
    );
    // Fully encrypted: restoration 2 + 1 x 10 days for every dependant.
    for &d in &dependants {
        let days = r.organisation_outcomes[d as usize].mean_disrupted_days;
        assert!((days - 12.0).abs() < 1e-3, "{days}");
    }
    assert!((r.summary.switch_off_days.mean - 12.0 * expected.len() as f64).abs() < 0.01);
}

/// Which care organisations run on a national system's IT is part of the
/// network: with networks redrawn per replicate it is drawn again with each,
/// so each replicate's switch-off cuts off its own network's dependants
/// (and the bands include that draw); one network, one set.
#[test]
fn the_organisations_cut_off_are_drawn_with_each_replicates_network() {
    let e = eco();
    let sc = national_switch_off(40, 4, 0.05, 0.0);
    assert!(!sc.fixed_network);
    let dependants: Vec<Vec<u32>> = (0..4)
        .map(|r| {
            let syn = network(&e, &sc, r).unwrap();
            let national = syn.org_by_id("national-system-IE").unwrap();
            switch_off_dependants(&syn, &sc.parameters, national)
        })
        .collect();
    let report = simulate(&e, &sc, &|_| {}).unwrap();
    let cut: Vec<f64> = report
        .per_replicate
        .iter()
        .map(|m| m.orgs_disrupted_by_switch_off)
        .collect();
    let expected: Vec<f64> = dependants.iter().map(|d| (d.len() + 1) as f64).collect();
    assert_eq!(cut, expected);
    let distinct: BTreeSet<&Vec<u32>> = dependants.iter().collect();
    assert!(distinct.len() > 1, "{dependants:?}");

    let mut fixed = sc.clone();
    fixed.fixed_network = true;
    let report = simulate(&e, &fixed, &|_| {}).unwrap();
    let syn = synthesise(&e, &fixed).unwrap();
    let national = syn.org_by_id("national-system-IE").unwrap();
    let one = (switch_off_dependants(&syn, &fixed.parameters, national).len() + 1) as f64;
    assert!(
        report
            .per_replicate
            .iter()
            .all(|m| m.orgs_disrupted_by_switch_off == one)
    );
}

#[test]
fn below_the_threshold_nothing_is_switched_off() {
    let sc = scenario(&format!(
        r#"
[scenario]
days = 30
replicates = 2
scale = 0.02
[parameters]
{QUIET}
dwell_days = 2.0
detect_days = 3650.0
encrypt_rate = 1.0
segment_reach_days = 3650.0
switch_off_threshold = 0.5
[[campaign]]
vector = "intrusion"
threat = "ransomware-national"
organisation = "national-system-IE"
"#
    ));
    let (_, r) = run(&sc);
    // One segment of 16 encrypted: 6%, below the threshold.
    assert!((r.summary.mean_share_encrypted.mean - 1.0 / 16.0).abs() < 0.05);
    assert_eq!(r.summary.switch_offs.mean, 0.0);
    assert_eq!(r.summary.orgs_disrupted_by_switch_off.mean, 0.0);
}

#[test]
fn every_replay_loads_and_runs_at_small_scale() {
    let dir = format!("{}/../../scenarios/replays", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.lines().any(|l| l.starts_with("# Source:")),
            "{} cites no source",
            path.display()
        );
        let mut sc = scenario(&text);
        sc.replicates = 2;
        sc.scale = 0.05;
        sc.days = sc.days.min(60);
        let (_, r) = run(&sc);
        assert!(r.summary.orgs_infected.mean >= 1.0, "{}", path.display());
    }
}
