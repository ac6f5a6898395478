//! End-to-end checks of the simulator on small synthetic ecosystems.

use holisec_model::Ecosystem;
use holisec_sim::engine::{run_on, synthesise};
use holisec_sim::scenario::{Scenario, Sharing, load_scenario};
use holisec_sim::summary::{NS, SERIES, SimulationReport};
use holisec_sim::synth::Synth;

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
    let report = run_on(&syn, sc, &|_| {});
    (syn, report)
}

fn shipped(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../scenarios/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const PHISHING: &str = r#"
[scenario]
days = 120
replicates = 12
scale = 0.01
seed = 5
[interventions]
sharing = "national"
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
period_days = 30
waves = 4
org_share = 0.3
staff_share = 0.2
[[campaign]]
vector = "supplier"
threat = "ransomware"
target = "solution-providers"
start_day = 20
suppliers = 2
"#;

fn series<'a>(r: &'a SimulationReport, name: &str) -> &'a [f64] {
    &r.series(name).unwrap().mean
}

#[test]
fn populations_are_conserved_every_day_in_every_country() {
    let mut sc = scenario(PHISHING);
    sc.replicates = 1;
    sc.campaigns
        .push(scenario(&shipped("worm-killswitch.toml")).campaigns[0].clone());
    let (syn, r) = run(&sc);
    let staff = syn.staff() as f64;
    let orgs = syn.len() as f64;
    let segs = syn.segments() as f64;
    for d in 0..sc.days as usize {
        let sum = |a: usize, b: usize| -> f64 { (a..b).map(|i| r.series[i].mean[d]).sum() };
        assert_eq!(sum(0, 9), orgs, "organisations on day {d}");
        assert_eq!(sum(11, 15), staff, "staff on day {d}");
        assert_eq!(sum(15, 18), segs, "segments on day {d}");
    }
    for c in &r.countries {
        let orgs_c = r
            .organisation_outcomes
            .iter()
            .filter(|o| o.country == c.code)
            .count() as f64;
        for d in 0..sc.days as usize {
            let s: f64 = (0..9).map(|i| c.mean[i][d]).sum();
            assert_eq!(s, orgs_c, "{} day {d}", c.code);
        }
    }
    assert_eq!(SERIES.len(), NS);
    // Something happened, or the test proves nothing.
    assert!(r.summary.orgs_infected.mean > 0.0);
    assert!(series(&r, "seg_infected").iter().any(|&x| x > 0.0));
}

#[test]
fn without_campaigns_nothing_happens() {
    let mut sc = scenario(PHISHING);
    sc.campaigns.clear();
    let (_, r) = run(&sc);
    assert_eq!(r.summary.orgs_infected.mean, 0.0);
    assert_eq!(r.summary.orgs_disrupted.mean, 0.0);
    for name in ["clicks", "emails", "new_footholds", "seg_infected"] {
        assert!(series(&r, name).iter().all(|&x| x == 0.0), "{name}");
    }
}

#[test]
fn click_probability_zero_captures_no_credentials() {
    let mut sc = scenario(PHISHING);
    sc.campaigns.truncate(1);
    sc.parameters.click_rate = 0.0;
    let (_, r) = run(&sc);
    assert!(series(&r, "emails").iter().sum::<f64>() > 0.0);
    assert_eq!(r.summary.credentials_captured.mean, 0.0);
    assert_eq!(r.summary.staff_clicked.mean, 0.0);
    assert_eq!(r.summary.orgs_infected.mean, 0.0);
}

#[test]
fn click_count_matches_binomial_expectation() {
    // One wave to every member of staff of every care organisation, one day.
    let mut sc = scenario(PHISHING);
    sc.campaigns.truncate(1);
    sc.campaigns[0].org_share = 1.0;
    sc.campaigns[0].staff_share = 1.0;
    sc.campaigns[0].waves = 1;
    sc.days = 1;
    sc.replicates = 20;
    let (syn, r) = run(&sc);
    let (mut mean, mut var) = (0.0, 0.0);
    for o in 0..syn.len() {
        if !sc.campaigns[0].kinds.contains(&syn.kind[o]) {
            continue;
        }
        let n = syn.staff_of(o).len() as f64;
        let off = syn.offenders[o] as f64;
        for (k, p) in [
            (off, syn.p_offender[o] as f64),
            (n - off, syn.p_normal[o] as f64),
        ] {
            mean += k * p;
            var += k * p * (1.0 - p);
        }
    }
    let observed = series(&r, "clicks")[0];
    // The mean of 20 replicates has sd sqrt(var / 20); allow 5 sd.
    let tol = 5.0 * (var / 20.0).sqrt();
    assert!(
        (observed - mean).abs() < tol,
        "observed {observed}, expected {mean} +- {tol}"
    );
}

fn mean_infected(sc: &Scenario) -> f64 {
    run(sc).1.summary.orgs_infected.mean
}

#[test]
fn more_training_never_increases_infections() {
    let mut sc = scenario(PHISHING);
    sc.replicates = 16;
    let mut last = f64::INFINITY;
    for coverage in [0.0, 0.5, 1.0] {
        sc.interventions.training_coverage = coverage;
        let m = mean_infected(&sc);
        assert!(m <= last * 1.02 + 0.5, "coverage {coverage}: {m} > {last}");
        last = m;
    }
    sc.interventions.training_coverage = 0.0;
    let base = mean_infected(&sc);
    sc.interventions.training_coverage = 1.0;
    sc.interventions.training_odds_ratio = 0.335;
    assert!(mean_infected(&sc) < base, "training has an effect");
}

#[test]
fn faster_patching_never_increases_worm_infections() {
    let mut sc = scenario(&shipped("worm-killswitch.toml"));
    sc.scale = 0.02;
    sc.replicates = 12;
    sc.campaigns[0].kill_switch_day = Some(20);
    let mut last = f64::INFINITY;
    for speed in [2.0, 1.0, 0.25] {
        sc.interventions.patch_speed = speed;
        let m = mean_infected(&sc);
        assert!(m <= last * 1.02 + 0.5, "patch speed {speed}: {m} > {last}");
        last = m;
    }
}

#[test]
fn more_sharing_never_increases_infections() {
    let mut sc = scenario(PHISHING);
    sc.replicates = 16;
    let mut last = f64::INFINITY;
    for sharing in [Sharing::None, Sharing::National, Sharing::European] {
        sc.sharing = sharing;
        let m = mean_infected(&sc);
        assert!(m <= last * 1.02 + 0.5, "{sharing:?}: {m} > {last}");
        last = m;
    }
}

#[test]
fn same_seed_same_output_for_any_thread_count() {
    let mut sc = scenario(PHISHING);
    sc.replicates = 6;
    let json = |sc: &Scenario, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| serde_json::to_string(&run(sc).1).unwrap())
    };
    let one = json(&sc, 1);
    assert_eq!(one, json(&sc, 4));
    sc.seed += 1;
    assert_ne!(one, json(&sc, 2), "the seed matters");
}

#[test]
fn shipped_scenarios_load_and_run_small() {
    for name in [
        "europe-phishing-ransomware.toml",
        "supplier-compromise.toml",
        "worm-killswitch.toml",
    ] {
        let mut sc = scenario(&shipped(name));
        sc.scale = 0.01;
        sc.replicates = 2;
        let (_, r) = run(&sc);
        assert!(
            r.summary.orgs_infected.mean > 0.0,
            "{name} infects something"
        );
    }
}

#[test]
fn campaigns_confined_to_countries_infect_only_there() {
    // No cross-organisation channel, so every infection comes from the campaigns.
    let sc = scenario(
        r#"
[scenario]
days = 60
replicates = 3
scale = 0.05
seed = 11
[parameters]
mailbox_abuse = 0.0
supplier_weaponise = 0.0
exposed_share = 1.0
worm_local_share = 1.0
worm_national_share = 0.0
[interventions]
sharing = "none"
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
org_share = 0.5
staff_share = 0.5
waves = 2
countries = ["IE", "GB"]
[[campaign]]
vector = "worm"
threat = "state-disruption"
target = "healthcare-organisations"
initial_infections = 40
countries = ["MT"]
"#,
    );
    assert_eq!(sc.campaigns[0].countries, ["IE", "UK"]);
    let (_, report) = run(&sc);
    let mut infected_by_country = std::collections::BTreeMap::new();
    for o in &report.organisation_outcomes {
        if o.p_infected > 0.0 {
            *infected_by_country.entry(o.country.as_str()).or_insert(0) += 1;
        }
    }
    let countries: Vec<&str> = infected_by_country.keys().copied().collect();
    assert_eq!(countries, ["IE", "MT", "UK"], "{infected_by_country:?}");
    assert!(infected_by_country["UK"] > infected_by_country["IE"]);
}

#[test]
fn a_country_missing_from_the_ecosystem_is_refused() {
    let mut sc = scenario(
        r#"
[scenario]
scale = 0.01
[[campaign]]
threat = "ransomware"
countries = ["MT"]
"#,
    );
    let e = eco();
    let mut syn = synthesise(&e, &sc).unwrap();
    assert!(holisec_sim::engine::check_countries(&syn, &sc).is_ok());
    // A model with fewer national health systems has fewer countries.
    syn.countries.truncate(5);
    let err = holisec_sim::engine::check_countries(&syn, &sc).unwrap_err();
    assert!(err.to_string().contains("country `MT`"), "{err}");
    sc.campaigns[0].countries.clear();
    assert!(holisec_sim::engine::check_countries(&syn, &sc).is_ok());
}

#[test]
fn outcome_counts_by_kind_are_consistent() {
    let sc = scenario(PHISHING);
    let (syn, report) = run(&sc);
    let hospitals = syn
        .kind
        .iter()
        .filter(|k| **k == holisec_sim::OrgKind::Hospital)
        .count() as f64;
    assert_eq!(report.per_replicate.len(), 12);
    for m in &report.per_replicate {
        // The supplier campaign compromises the two largest suppliers outright.
        assert!(m.suppliers_infected >= 2.0, "{m:?}");
        assert!(
            m.hospitals_infected + m.suppliers_infected <= m.orgs_infected,
            "{m:?}"
        );
        assert!(m.hospitals_disrupted <= m.orgs_disrupted, "{m:?}");
        assert!(m.hospitals_disrupted <= hospitals, "{m:?}");
    }
}

#[test]
fn abused_care_mailboxes_lure_care_organisations_of_their_own_country() {
    // One country's campaign; lures from its abused mailboxes go only to care
    // peers (no supplier share), so every infection stays in that country and
    // the mailbox channel adds infections there.
    let text = |abuse: f64| {
        format!(
            r#"
[scenario]
days = 90
replicates = 4
scale = 0.05
seed = 3
[parameters]
mailbox_abuse = {abuse}
mailbox_partners = 5.0
mailbox_supplier_share = 0.0
supplier_weaponise = 0.0
[interventions]
sharing = "none"
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
org_share = 0.3
staff_share = 0.3
waves = 3
countries = ["NL"]
"#
        )
    };
    let infected = |abuse: f64| {
        let (_, report) = run(&scenario(&text(abuse)));
        let mut count = 0.0;
        for o in &report.organisation_outcomes {
            assert!(
                o.p_infected == 0.0
                    || (o.country == "NL" && o.kind != holisec_sim::OrgKind::Supplier),
                "{o:?}"
            );
            count += o.p_infected;
        }
        count
    };
    let without = infected(0.0);
    let with = infected(1.0);
    assert!(
        with > without,
        "mailbox lures added nothing: {with} vs {without}"
    );
}

/// Organisations disrupted without being infected (expected count over
/// replicates), in `country` and elsewhere.
fn disrupted_without_infection(report: &SimulationReport, country: &str) -> (f64, f64) {
    let (mut home, mut abroad) = (0.0, 0.0);
    for o in &report.organisation_outcomes {
        let x = (o.p_disrupted - o.p_infected).max(0.0);
        if o.country == country {
            home += x;
        } else {
            abroad += x;
        }
    }
    (home, abroad)
}

#[test]
fn precautionary_disconnection_follows_the_outbreak_at_home() {
    // A worm confined to one country, national and European sharing: how many
    // advised organisations disconnect must grow with the outbreak there,
    // and the few internet-borne infections elsewhere must move few.
    let worm = |contacts: f64, sharing: &str| {
        scenario(&format!(
            r#"
[scenario]
days = 30
replicates = 3
scale = 0.2
seed = 3
[parameters]
exposed_share = 0.1
worm_contacts_per_day = {contacts}
[interventions]
sharing = "{sharing}"
[[campaign]]
vector = "worm"
threat = "state-disruption"
target = "healthcare-organisations"
initial_infections = 20
kill_switch_day = 2
disclosure_day = -58
countries = ["FR"]
"#
        ))
    };
    let mut previous = 0.0;
    for contacts in [4.0, 8.0, 16.0] {
        let (_, report) = run(&worm(contacts, "national"));
        let (home, abroad) = disrupted_without_infection(&report, "FR");
        let infected_home: f64 = report
            .organisation_outcomes
            .iter()
            .filter(|o| o.country == "FR")
            .map(|o| o.p_infected)
            .sum();
        eprintln!(
            "contacts {contacts}: home {home:.0} abroad {abroad:.0} infected {infected_home:.0}"
        );
        assert!(home > previous, "contacts {contacts}: {home} <= {previous}");
        assert!(
            abroad < home,
            "contacts {contacts}: {abroad} abroad vs {home} at home ({infected_home} infected)"
        );
        previous = home;
    }
    // European sharing brings the advisory abroad sooner, not the disconnections.
    let (_, national) = run(&worm(16.0, "national"));
    let (_, european) = run(&worm(16.0, "european"));
    let abroad = |r: &SimulationReport| disrupted_without_infection(r, "FR").1;
    let home = |r: &SimulationReport| disrupted_without_infection(r, "FR").0;
    assert!(
        abroad(&european) < 0.2 * home(&european),
        "{}",
        abroad(&european)
    );
    assert!(abroad(&national) < 0.2 * home(&national));
}

#[test]
fn networks_are_redrawn_per_replicate_unless_fixed() {
    let e = eco();
    let mut sc = scenario(PHISHING);
    assert!(!sc.fixed_network, "redrawn by default");
    let net = |sc: &Scenario, r| holisec_sim::engine::network(&e, sc, r).unwrap();
    let (a, b) = (net(&sc, 0), net(&sc, 1));
    // The same organisations, drawn differently.
    assert_eq!(a.kind, b.kind);
    assert_ne!(a.p_normal, b.p_normal);
    assert_ne!(a.clients.targets, b.clients.targets);
    assert_ne!(a.staff_start, b.staff_start);
    assert_eq!(
        a.p_normal,
        net(&sc, 0).p_normal,
        "a replicate's network repeats"
    );
    sc.fixed_network = true;
    let fixed = synthesise(&e, &sc).unwrap();
    for r in [0, 1, 5] {
        let n = net(&sc, r);
        assert_eq!(n.p_normal, fixed.p_normal);
        assert_eq!(n.clients.targets, fixed.clients.targets);
        assert_eq!(n.staff_start, fixed.staff_start);
    }
}

#[test]
fn redrawn_networks_give_the_same_output_for_any_thread_count() {
    let e = eco();
    let mut sc = scenario(PHISHING);
    sc.replicates = 5;
    let json = |sc: &Scenario, threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let report = holisec_sim::simulate(&e, sc, &|_| {}).unwrap();
            serde_json::to_string(&report).unwrap()
        })
    };
    let one = json(&sc, 1);
    assert_eq!(one, json(&sc, 2));
    assert_eq!(one, json(&sc, 3));
    // Under `fixed_network`, `simulate` is `run_on` on the scenario's network.
    sc.fixed_network = true;
    let fixed = json(&sc, 2);
    assert_ne!(one, fixed, "the networks matter");
    let syn = synthesise(&e, &sc).unwrap();
    assert_eq!(
        fixed,
        serde_json::to_string(&run_on(&syn, &sc, &|_| {})).unwrap()
    );
}

#[test]
fn fixed_network_is_read_from_the_scenario() {
    let sc = scenario("[scenario]\nfixed_network = true\n");
    assert!(sc.fixed_network);
    let loaded = load_scenario("[scenario]\nfixed_network = 1\n", &eco());
    assert!(loaded.has_errors());
}

/// One replicate whose phishing waves reach everyone: the waves' draws run in
/// parallel inside the replicate, and the output must not depend on it.
#[test]
fn one_replicate_gives_the_same_output_for_any_thread_count() {
    let sc = scenario(
        r#"
[scenario]
days = 100
replicates = 1
scale = 0.02
seed = 9
[interventions]
sharing = "european"
training_coverage = 0.3
mfa_coverage = 0.3
[[campaign]]
threat = "ransomware"
target = "healthcare-organisations"
period_days = 30
waves = 4
org_share = 1.0
staff_share = 1.0
"#,
    );
    let json = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| serde_json::to_string(&run(&sc).1).unwrap())
    };
    let one = json(1);
    assert_eq!(one, json(2));
    assert_eq!(one, json(4));
    assert!(run(&sc).1.summary.staff_clicked.mean > 1000.0);
}
