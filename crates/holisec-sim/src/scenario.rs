//! Scenario files: campaigns, parameters and interventions, read from TOML.
//!
//! A scenario names threats and targets of the model by id, so it is checked
//! against an [`Ecosystem`]. Every problem becomes a [`Diagnostic`] with a byte
//! span (unknown keys, unknown threat or stakeholder ids with "did you mean",
//! negative days, probabilities outside 0..1, scale <= 0, zero replicates),
//! all reported at once, like model files. Every parameter has a documented
//! default and source ([`PARAMETERS`], [`INTERVENTIONS`]).

use std::ops::Range;

use holisec_model::diag::did_you_mean;
use holisec_model::{Diagnostic, Ecosystem, StakeholderIdx, StakeholderKind, ThreatIdx};
use serde::Serialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::synth::OrgKind;

/// Largest scenario file accepted.
pub const MAX_SCENARIO_BYTES: usize = 1024 * 1024;
/// Longest simulated horizon, in days (ten years).
pub const MAX_DAYS: u32 = 3650;
/// Most replicates in one run.
pub const MAX_REPLICATES: u32 = 100_000;
/// Largest scale factor (ten times the model's populations).
pub const MAX_SCALE: f64 = 10.0;

/// One numeric parameter: key, default, allowed range, and where the default comes from.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ParamSpec {
    /// Key in the `[parameters]` or `[interventions]` table.
    pub key: &'static str,
    /// Default value.
    pub default: f64,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Meaning and unit.
    pub meaning: &'static str,
    /// Source of the default (`[E]` = engineering estimate, see `docs/simulation.md`).
    pub source: &'static str,
}

macro_rules! param_struct {
    (
        $(#[$meta:meta])* $name:ident, $specs:ident;
        $( $field:ident = $default:expr, $min:expr, $max:expr, $meaning:literal, $source:literal; )+
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct $name {
            $( #[doc = $meaning] pub $field: f64, )+
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default ),+ }
            }
        }

        /// Every key of the table, with default, range and source.
        pub const $specs: &[ParamSpec] = &[
            $( ParamSpec { key: stringify!($field), default: $default, min: $min, max: $max, meaning: $meaning, source: $source } ),+
        ];

        impl $name {
            /// The field called `key`.
            pub fn get_mut(&mut self, key: &str) -> Option<&mut f64> {
                match key {
                    $( stringify!($field) => Some(&mut self.$field), )+
                    _ => None,
                }
            }
        }
    };
}

const P: f64 = 1.0;
const BIG: f64 = 1e6;
/// Default of `segment_reach_days` (see its source).
const SEGMENT_REACH_DAYS: f64 = 8.0;
/// Default of `segment_reachable` (see its source).
const SEGMENT_REACHABLE: f64 = 0.8;
/// Default of `segment_reachable_concentration` (see its source).
const SEGMENT_REACHABLE_CONCENTRATION: f64 = 2.0;

param_struct! {
    /// `[parameters]`: rates and probabilities of the state machines and of the generator.
    Parameters, PARAMETERS;
    click_rate = 0.142, 0.0, P, "mean probability that a recipient clicks a phishing lure", "Gordon et al., JAMA Netw Open 2019;2(3):e190393: 14.2% pooled over 2.97 M emails, 6 US health institutions";
    click_rate_concentration = 24.0, 0.0, BIG, "Beta concentration (alpha+beta) of the per-organisation click rate; 0 = the same rate everywhere", "[E] gives institution medians spread like 7.4%-30.7% (Gordon 2019)";
    offender_share = 0.143, 0.0, P, "share of staff in the repeat-clicker (offender) class", "Gordon et al., JAMIA 2019;26(6):547: 772 of 5,416 clicked at least 5 of 20 campaigns";
    offender_odds_ratio = 3.0, 1.0, 100.0, "click odds of offenders relative to the other staff", "[E] consistent with the JAMIA 2019 counts (17.9% never clicked, 65.3% clicked twice or more)";
    report_rate = 0.20, 0.0, P, "probability that a recipient who does not click reports the lure", "Verizon DBIR 2024: about 20% of users report per engagement";
    clicker_report_rate = 0.11, 0.0, P, "probability that a clicker reports", "Verizon DBIR 2024: about 11% of clickers report";
    credential_rate = 0.5, 0.0, P, "probability that a clicker types credentials", "[E] DBIR 2024: median 21 s to click, 28 s more to enter data; of clickers, 44% submitted credentials over 500,000 simulated lures (CyberPilot: 4% of 9%), 60% in Terranova's 2023 Gone Phishing Tournament, 65% of Europe's in 2020 (11% of 17%) and 18% in 2019 (2% of 11%)";
    payload_rate = 0.3, 0.0, P, "probability that a clicker runs the payload on an unprotected endpoint", "[E] depends on EDR and macro policy; no published share of clickers who run a payload (DBIR 2016 and Phished 2021 give shares of recipients: 12% and 7% opened the attachment)";
    foothold_success = 0.5, 0.0, P, "probability that one payload run or one usable credential gives the attacker a foothold", "[E] Sophos 2024: exploited vulnerability and compromised credentials 34% each of root causes; Sophos Active Adversary 2026: 59% of cases lacked MFA or had it misconfigured";
    report_detection = 0.3, 0.0, P, "probability that staff reports of a lure make the SOC find a foothold within a day", "[E] reports drive detection (DBIR 2024: 20% of recipients and 11% of clickers report); no published share of reports that find a foothold within a day";
    trusted_sender_odds_ratio = 2.0, 1.0, 100.0, "click odds multiplier of a lure sent from a partner's compromised mailbox", "[E] no healthcare estimate; Abnormal 2025, EMEA: lures from compromised or impersonated vendors engaged 47.3% of readers against 24.7% for other business e-mail compromise (odds ratio 2.7); Jagatic et al. 2007: 72% against 16% of students when the lure came from someone they knew (13.5)";
    mailbox_abuse = 0.3, 0.0, P, "probability that a new foothold is used to send lures to the organisation's partners", "[E] no published share of footholds used to send lures; Ho et al. 2019 (USENIX Security): 14% of sampled organisations had a lateral phishing incident in seven months";
    mailbox_partners = 3.0, 0.0, 1000.0, "partner organisations (peers, suppliers, clients) that receive lures from one abused mailbox", "[E] keeps the mailbox channel subcritical (about 0.5 new footholds per foothold)";
    mailbox_supplier_share = 0.02, 0.0, P, "share of the lures from a care organisation's abused mailbox that go to one of its suppliers; the rest go to care organisations of its country", "[E] vendor email compromise runs mostly from supplier to client; set so that about 1-2% of solution providers are compromised a year under the shipped monthly campaign, the order of the public European health-supplier ransomware cases (Medatixx 2021, CompuGroup Medical 2021, Advanced 2022, Tietoevry 2024, Synnovis 2024) among about 1,500 providers";
    mailbox_recipients = 10.0, 0.0, 10000.0, "recipients of such a lure in each partner organisation", "[E] no published split per partner organisation; Ho et al. 2019, as reported: 154 hijacked accounts sent 1,902 lateral phishing e-mails to over 100,000 recipients, inside and outside their organisations";
    breakout_hours = 0.8, 0.0, 8760.0, "mean time from foothold to lateral movement, hours", "CrowdStrike GTR 2025: breakout 48 min (2024)";
    domain_hours = 3.4, 0.0, 8760.0, "mean time from lateral movement to domain (AD) control, hours", "Sophos Active Adversary 2026: median 3.4 h to Active Directory";
    dwell_days = 5.0, 0.0, 3650.0, "median time from domain control to impact, days (lognormal)", "Mandiant M-Trends 2021 and Sophos 2023: ransomware dwell time median 5 d";
    dwell_sigma = 0.8, 0.0, 10.0, "log-standard deviation of that time", "[E]";
    dwell_slow_share = 0.2, 0.0, P, "share of intrusions whose operators wait longer before impact (data theft and staging first): their time from domain control to impact is the slow lognormal below", "[E] sets the mixture's median near 6 d and its 99th percentile near 230 d: M-Trends 2024-2025 global median dwell 10-14 d, a tail of weeks to months (HSE 2021: about 8 weeks from the phishing e-mail to encryption)";
    dwell_slow_days = 45.0, 0.0, 3650.0, "median time from domain control to impact of the slower intrusions, days (lognormal)", "Mandiant M-Trends 2021: median dwell 45 d for intrusions other than ransomware (5 d for ransomware)";
    dwell_slow_sigma = 1.0, 0.0, 10.0, "log-standard deviation of the slower time", "[E]";
    detect_days = 25.0, 0.0, 3650.0, "mean time to detect a foothold without a CSIRT advisory, days (exponential)", "Mandiant M-Trends 2026: dwell about 25 d when notified externally";
    advised_detect_days = 9.0, 0.0, 3650.0, "mean time to detect after a CSIRT advisory in the country, days", "Mandiant M-Trends 2026: dwell about 9 d when detected internally";
    encrypt_rate = 0.74, 0.0, P, "probability that impact encrypts (disrupts) rather than only steals data", "Sophos, State of Ransomware in Healthcare 2024: 74% of attacks encrypt";
    segment_reach_days = SEGMENT_REACH_DAYS, 0.0, 3650.0, "mean time for an attacker with domain control to reach each further network segment of the organisation (exponential, per segment); the segments reached by detonation are encrypted, and reaching goes on until containment (0 = the whole estate at once)", "[E] range 1 to 60 d; with the other defaults, hospitals encrypted under the shipped monthly campaign have 59% of their segments encrypted on average and 3.5% of those with 10 segments or more have over 90% (12 runs, 2,154 hospital victims): Sophos, State of Ransomware in Healthcare 2024, mean 58% of computers encrypted when attacked, 7% of victims more than 90%";
    segment_reachable = SEGMENT_REACHABLE, 0.0, P, "mean probability that each further network segment of an organisation can be reached from domain control at all (the rest sit on separate domains, isolated or offline networks); the probability is drawn once per intrusion, at domain control, from a Beta of this mean", "[E] range 0.6 to 1; Sophos 2024's two figures (see `segment_reach_days`) are matched as well by 0.8 with `segment_reach_days` 8 as by 1 with 12 (3.5% and 3.8% of large hospital victims over 90%, both below Sophos' 7%); the tie is broken by the HSE's about 80% of its estate encrypted after 8 weeks (PwC 2021), so that replay's share is in sample";
    segment_reachable_concentration = SEGMENT_REACHABLE_CONCENTRATION, 0.0, BIG, "Beta concentration (alpha + beta) of that per-intrusion probability: small values make estates either flat or split, large ones alike; 0 = the mean for every intrusion", "[E] range 0.5 to 20; 2 lets estates range from flat to split; with 1, 3.8% of large hospital victims are over 90% encrypted, with 2, 3.5% (Sophos 2024: 7%)";
    critical_segment_share = 0.25, 0.0, P, "share of an organisation's network segments that run care-critical systems (electronic patient record, imaging, laboratory, pharmacy; at least one segment per organisation): encryption disrupts an organisation's care, and the services dependants get from it, only once it reaches one of them, so an attack that encrypts a small part of a large estate may leave care running", "[E] range 0.1 to 0.6; no published share; a check, not a fit: Neprash et al., JAMA Health Forum 2022, 166 of 374 (44.4%) ransomware attacks on US care delivery organisations 2016-2021 disrupted care; for suppliers, 2 of the 5 public European ransomware attacks on health suppliers of 2021-2024 took a clinical service from their clients (Advanced, Synnovis; not Medatixx, CompuGroup Medical, Tietoevry), where a supplier's estate (four segments, one care-critical) loses it in 59 of 100 replicates of the Synnovis replay";
    sole_provider_share = 0.15, 0.0, P, "share of solution providers that are the sole provider of a care-critical service to their clients (pathology, out-of-hours and urgent-care software, a hosted patient record), drawn with each network: once a sole provider's encryption reaches one of its care-critical segments, each of its clients in its home country loses that service with the relation's strength alone, not `dependency_disruption` times it", "[E] range 0.05 to 0.3; no published share; set so that the shipped monthly campaign loses such a service about 0.6 times a year, the order of the public European cases (two in 2022-2024: Advanced's NHS 111 software, Synnovis' pathology, of five public health-supplier ransomware cases with Medatixx, CompuGroup Medical and Tietoevry, whose clients kept their care services): in sample";
    switch_off_threshold = 0.5, 0.0, P, "share of its IT estate encrypted (segments encrypted / segments) at which a national system switches all its IT off, disrupting itself and the care organisations that depend on it", "[E] range 0.2 to 0.8; no published decision rule (the HSE switched off on the morning of detonation, PwC 2021)";
    switch_off_detect = 0.5, 0.0, P, "probability that a national system or a hospital switches all its IT off when it detects domain-level compromise before anything is encrypted (a national system cuts off the care organisations depending on it too)", "[E] range 0 to 1; no public estimate";
    switch_off_primary_care = 0.1, 0.0, P, "share of the primary-care organisations depending on a national system (with the `national_care` strength) whose IT runs on its network, so that its switch-off cuts them off; the rest, such as GP practices on their own systems, lose only its services (`dependency_disruption`). Hospitals depending on it are all cut off", "[E] range 0 to 0.5; PwC 2021: the HSE's switch-off took down the IT of its hospitals and community services, not that of GP practices, which run their own systems";
    switch_off_min_days = 2.0, 0.0, 365.0, "days to bring IT back after a switch-off with nothing encrypted (checks and a staged restart); added to the restoration time", "[E] range 1 to 7 d";
    restore_median_days = 30.0, 0.0, 3650.0, "median time to bring back each organisation a switch-off of a fully encrypted estate cuts off (the estate itself and each dependant, drawn one by one: restoration is staged), days (lognormal); multiplied by the share encrypted", "[E] range 10 to 120 d; longer than a hospital's recovery median (19.4 d, Sophos 2024) since a whole national estate is rebuilt; not fitted to the HSE";
    restore_sigma = 0.8, 0.0, 10.0, "log-standard deviation of that restoration time", "[E] range 0.3 to 1.3";
    containment_days = 1.0, 0.0, 3650.0, "mean time from impact to containment, days", "[E] the HSE switched all its IT off on the morning of detonation (PwC 2021); a trust cut its national-network link 70 minutes after the WannaCry alert (Kettering General Hospital, Digital Health News 2017)";
    forensics_days = 2.0, 0.0, 3650.0, "mean time from containment to the start of recovery, days", "[E]";
    recovery_median_days = 19.4, 0.0, 3650.0, "median recovery time after encryption, days (lognormal)", "fit to Sophos 2024: 22% recover within a week, 37% take more than a month";
    recovery_sigma = 1.318, 0.0, 10.0, "log-standard deviation of the recovery time", "same fit (Sophos 2024)";
    recovery_share_weight = 0.5, 0.0, P, "part of the recovery time that scales with the share of the estate encrypted: the recovery time is multiplied by 1 - w + w x share / 0.58, 0.58 being the mean share encrypted of the victims the recovery fit describes", "[E] range 0 to 1; restoring machines scales with their number, investigation and rebuilding identity and trust do not; no published split";
    cleanup_days = 3.0, 0.0, 3650.0, "mean clean-up time of an intrusion contained before impact, days", "[E]";
    supplier_weaponise = 0.05, 0.0, P, "probability that an opportunistic compromise of a supplier (not a supplier campaign) is used to push malicious updates", "[E] supply-chain attacks are rare: ENISA 2023 supply-chain 7% of incidents";
    dependency_disruption = 0.1, 0.0, P, "probability, times the relation strength, that a dependant is disrupted when its supplier or national system is encrypted", "[E] ENISA 2023: supply-chain disruption 7% of health incidents";
    supplier_push_success = 0.1, 0.0, P, "probability, times the `supplies` strength, that a compromised supplier's push compromises one client", "[E] Kaseya 2021: 25-40 downstream victims per compromised MSP";
    advisory_threshold = 3.0, 1.0, BIG, "detections in a country before its CSIRT issues an advisory", "[E] no empirical estimate of an information-sharing effect was found";
    advisory_delay_days = 1.0, 0.0, 365.0, "days from the threshold to the advisory", "[E]";
    cross_border_delay_days = 1.0, 0.0, 365.0, "extra days for an advisory to reach other countries under European sharing", "[E]";
    advisory_click_reduction = 0.3, 0.0, P, "relative drop of click odds after an advisory, times the second-level agency-to-staff relation strength", "[E]";
    disconnect_rate = 0.5, 0.0, P, "probability that an advised organisation disconnects as a precaution (worm), or, times the `supplies` strength, that a client disconnects from a supplier whose compromise became visible (impact)", "[E] NAO 2017: trusts disconnected during WannaCry";
    disconnect_days = 3.0, 0.0, 365.0, "length of a precautionary disconnection, days", "[E] NAO 2017; Kettering General Hospital, WannaCry: off the national network from Friday 16:10 to Tuesday 11:00, 3.8 days (Digital Health News 2017)";
    disconnect_prevalence = 0.01, 0.0001, P, "share of a country's organisations hit by a worm at which its advised organisations disconnect with `disconnect_rate`; below it, in proportion (the advisory says how widespread the worm is at home)", "[E] WannaCry, England: about 1% of NHS organisations infected (NAO 2017: 34 trusts and 603 primary-care organisations) led trusts to disconnect widely";
    precaution_patch_factor = 0.25, 0.0, P, "remaining patch time multiplied by this after an advisory", "[E] information sharing modelled as earlier patching, for want of a measured effect";
    primary_care_share = 0.3, 0.0, 0.99, "share of professionals working in small primary-care organisations", "[E] between England's 12% (190,000 of 1.59 million NHS staff work in general practice, Nuffield Trust 2024) and Germany's 37% (734,000 in doctors' practices against 1.26 million in hospitals, Destatis 2022)";
    primary_care_staff = 8.0, 1.0, 1000.0, "mean staff of a primary-care organisation", "[E] Germany: 7.8 working persons per doctor's practice in 2015, 9.8 in 2021 counting group practices and care centres (Destatis cost-structure statistics); England's GP practices are larger (about 23 FTE, BMJ Open 2024)";
    staff_sigma = 1.0, 0.0, 5.0, "log-standard deviation of hospital staff (lognormal)", "[E] Destatis 2017: 34% of hospitals <100 beds, 9% >=600 beds";
    suppliers_per_hospital = 0.1, 0.0, 10.0, "solution providers per hospital", "[E]";
    hospital_supplier_links = 5.0, 0.0, 100.0, "suppliers per hospital (EHR, MSP/RMM, PACS, lab, network)", "[E]";
    primary_care_supplier_links = 1.0, 0.0, 100.0, "suppliers per primary-care organisation", "[E]";
    supplier_uniform_share = 0.2, 0.0, P, "share of supplier links drawn uniformly rather than by preferential attachment", "[E] gives a few suppliers with hundreds of hospitals";
    insurers_per_country = 2.0, 0.0, 100.0, "insurers per country", "[E] one payer in tax-funded systems; four insurers hold 85% of the Dutch market (Vektis 2025), Austria has three health insurers since 2020, Belgium five unions of sickness funds; Germany's 95 statutory funds (vdek 2024) are the outlier";
    staff_per_segment = 150.0, 1.0, BIG, "staff per network segment in a hospital (2 to 64 segments)", "[E]";
    exposed_share = 0.1, 0.0, P, "share of organisations with an internet-facing unpatched-able border segment", "[E] between 2% of US health organisations with an internet-facing host matching ransomware operators' tradecraft (Flare 2026) and 36% of German hospitals with vulnerable internet-facing services (Klick, Koch and Brandstetter, CyCon 2021); NAO 2017";
    worm_contacts_per_day = 2.0, 0.0, 1000.0, "infection attempts per infected segment per day", "[E] SIIDR rates (Chernikova et al. 2023) not extracted";
    worm_steps_per_day = 24.0, 1.0, 1440.0, "tau-leap steps of the worm per day (24 = hourly generations)", "[E] worms spread in hours (WannaCry: most infections on the first day, NAO 2017)";
    worm_local_share = 0.8, 0.0, P, "share of worm attempts inside the organisation", "[E]";
    worm_national_share = 0.15, 0.0, P, "share of worm attempts over the national network (the rest: the internet)", "[E] WannaCry spread over N3 (NAO 2017)";
    segmentation_block = 0.5, 0.0, P, "probability that segmentation stops lateral movement (and a local worm attempt)", "[E] MAL: a defence turns a step to Infinity";
    mfa_block = 0.9, 0.0, P, "probability that MFA makes a captured credential useless", "Google, NYU and UCSD 2019: on-device prompts stopped 90% of targeted account takeovers (SMS codes 76%); Meyer et al. (Microsoft) 2023: MFA cut the risk of compromise by 98.56% where credentials had leaked";
    backup_recovery_factor = 0.3, 0.0, P, "recovery time multiplier with immutable backups", "[E] Sophos 2024: backups compromised in 66% of attempts; Sophos 2023: 45% of victims restoring from backups recovered within a week, against 39% of those that paid and 22% of healthcare victims overall (2024)";
    remediation_d25 = 26.0, 0.0, 3650.0, "days after disclosure by which 25% of segments are patched", "Kenna/Cyentia remediation velocity: 25% by day 26";
    remediation_d50 = 100.0, 0.0, 3650.0, "days by which 50% are patched", "Kenna/Cyentia: 50% by day 100";
    remediation_d75 = 392.0, 0.0, 3650.0, "days by which 75% are patched", "Kenna/Cyentia: 75% by day 392";
}

param_struct! {
    /// `[interventions]`: what the defenders do. Coverage = share of organisations.
    Interventions, INTERVENTIONS;
    training_coverage = 0.0, 0.0, P, "share of organisations running repeated phishing simulations", "scenario choice";
    training_odds_ratio = 0.511, 0.0, P, "click odds ratio of trained staff", "Gordon et al. 2019: adjusted OR 0.511 after 6-10 campaigns (0.335 after more than 10); annual training about 1.0";
    mfa_coverage = 0.0, 0.0, P, "share of organisations with MFA on remote access and mail", "scenario choice";
    patch_speed = 1.0, 0.001, 100.0, "multiplier of remediation times (0.5 = twice as fast)", "scenario choice";
    segmentation_coverage = 0.0, 0.0, P, "share of organisations with segmented networks", "scenario choice";
    backup_coverage = 0.0, 0.0, P, "share of organisations with immutable, tested backups", "scenario choice";
}

/// Who receives CSIRT advisories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    /// No advisories.
    #[default]
    None,
    /// The country's CSIRT advises its own country.
    National,
    /// Agencies share: an advisory reaches every country.
    European,
}

/// How a campaign reaches its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Vector {
    /// Phishing lures to staff.
    Phishing,
    /// Direct footholds (exploited vulnerability, stolen credentials).
    Intrusion,
    /// The largest solution providers are compromised and push to their clients.
    Supplier,
    /// A self-propagating worm entering via internet-facing unpatched segments.
    Worm,
}

impl Vector {
    const NAMES: &[&str] = &["phishing", "intrusion", "supplier", "worm"];
}

/// One campaign.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    /// Display name.
    pub name: String,
    /// How it reaches targets.
    pub vector: Vector,
    /// Threat of the model.
    pub threat: ThreatIdx,
    /// Its id.
    pub threat_id: String,
    /// Targeted stakeholder of the model.
    pub target: StakeholderIdx,
    /// Its id.
    pub target_id: String,
    /// Synthetic organisation kinds the target covers.
    pub kinds: Vec<OrgKind>,
    /// First wave, day index from 0.
    pub start_day: u32,
    /// Days between waves.
    pub period_days: u32,
    /// Number of waves.
    pub waves: u32,
    /// Share of targeted organisations reached by one wave.
    pub org_share: f64,
    /// Share of staff of a reached organisation receiving the lure (phishing).
    pub staff_share: f64,
    /// Click odds multiplier of the lure (difficulty).
    pub lure_odds_ratio: f64,
    /// Suppliers compromised (supplier vector): the largest by clients.
    pub suppliers: u32,
    /// Initially infected segments at scale 1 (worm; scaled with the populations, at least 1).
    pub initial_infections: u32,
    /// Day from which infected segments stop spreading (worm).
    pub kill_switch_day: Option<u32>,
    /// Day the exploited vulnerability was disclosed (patch clock start; may be negative).
    pub disclosure_day: f64,
    /// Countries the campaign reaches (codes of the model's `[[country]]` table); empty = all.
    pub countries: Vec<String>,
    /// The one synthetic organisation the campaign targets ([`crate::synth::Synth::org_id`]
    /// form, country code normalised), if it names one.
    pub organisation: Option<String>,
    /// Whether the named organisation, a supplier, is the sole provider of
    /// a care-critical service to its clients (a pathology laboratory, a
    /// clinical system): once its encryption reaches a care-critical
    /// segment, each client in its home country loses that service with the
    /// relation's strength alone, not `dependency_disruption` times it.
    /// `None` leaves it to the network's draw (`sole_provider_share`).
    pub sole_provider: Option<bool>,
}

/// `[[organisation]]`: published micro facts of a replayed incident about
/// one named synthetic organisation (a university hospital's staff, the
/// clients a laboratory serves), in place of what the network draws for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationEntry {
    /// Its id in [`crate::synth::Synth::org_id`]'s form.
    pub id: String,
    /// Staff at scale 1 (multiplied by the run's scale, at least 1). A
    /// hospital's segments follow from it unless `segments` is given.
    pub staff: Option<u32>,
    /// Network segments (not scaled).
    pub segments: Option<u32>,
    /// A supplier's clients, in place of the ones drawn for it.
    pub clients: Option<Clients>,
}

/// `clients = { country = "UK", hospitals = 7, primary_care = 190 }` of a
/// supplier's `[[organisation]]` entry: it serves that many hospitals and
/// primary-care organisations of one country, drawn in each replicate's
/// network, and has its home there; the organisations it served before keep
/// their other suppliers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clients {
    /// Code of the clients' country.
    pub country: String,
    /// Hospitals at scale 1 (times the run's scale, at least 1 unless 0).
    pub hospitals: u32,
    /// Primary-care organisations at scale 1 (likewise).
    pub primary_care: u32,
}

/// Most clients of one kind an `[[organisation]]` entry may give (at scale 1).
pub const MAX_CLIENTS: i64 = 100_000;

/// Most staff an `[[organisation]]` entry may give (at scale 1).
pub const MAX_ORGANISATION_STAFF: i64 = 1_000_000;
/// Most segments an `[[organisation]]` entry may give.
pub const MAX_ORGANISATION_SEGMENTS: i64 = 1_024;

/// A validated scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Simulated days.
    pub days: u32,
    /// Replicates.
    pub replicates: u32,
    /// Seed.
    pub seed: u64,
    /// Scale of the populations.
    pub scale: f64,
    /// Run every replicate on the one network drawn from `seed`, instead of
    /// redrawing the network for each replicate (the default), so that the
    /// replicate bands leave out the network's variation.
    pub fixed_network: bool,
    /// Parameters.
    pub parameters: Parameters,
    /// Interventions.
    pub interventions: Interventions,
    /// Who receives CSIRT advisories.
    pub sharing: Sharing,
    /// Campaigns.
    pub campaigns: Vec<Campaign>,
    /// Facts given about named organisations (`[[organisation]]`), each
    /// organisation at most once.
    pub organisations: Vec<OrganisationEntry>,
}

impl Scenario {
    /// A scenario with defaults and no campaign.
    pub fn empty(name: &str) -> Self {
        Scenario {
            name: name.to_owned(),
            description: None,
            days: 365,
            replicates: 10,
            seed: 1,
            scale: 1.0,
            fixed_network: false,
            parameters: Parameters::default(),
            interventions: Interventions::default(),
            sharing: Sharing::None,
            campaigns: Vec::new(),
            organisations: Vec::new(),
        }
    }

    /// Checks the run settings (after command-line overrides); messages name the setting.
    pub fn check_settings(&self) -> Result<(), String> {
        if self.days == 0 || self.days > MAX_DAYS {
            return Err(format!("days {}: expected 1 to {MAX_DAYS}", self.days));
        }
        if self.replicates == 0 || self.replicates > MAX_REPLICATES {
            return Err(format!(
                "replicates {}: expected 1 to {MAX_REPLICATES}",
                self.replicates
            ));
        }
        if !(self.scale.is_finite() && self.scale > 0.0 && self.scale <= MAX_SCALE) {
            return Err(format!(
                "scale {}: expected more than 0 and at most {MAX_SCALE}",
                self.scale
            ));
        }
        Ok(())
    }
}

/// What reading a scenario produced.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The source text.
    pub text: String,
    /// The scenario, only when there is no error.
    pub scenario: Option<Scenario>,
    /// Every error, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadedScenario {
    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The synthetic organisation kinds a model stakeholder kind stands for.
pub fn kinds_of(kind: StakeholderKind) -> Vec<OrgKind> {
    match kind {
        StakeholderKind::HealthcareOrganisation | StakeholderKind::HealthcareProfessional => {
            vec![OrgKind::Hospital, OrgKind::PrimaryCare]
        }
        StakeholderKind::SolutionProvider => vec![OrgKind::Supplier],
        StakeholderKind::NationalHealthSystem => vec![OrgKind::NationalSystem],
        StakeholderKind::AgencyInstitution => vec![OrgKind::Agency],
        StakeholderKind::InsuranceGroup => vec![OrgKind::Insurer],
        _ => Vec::new(),
    }
}

/// Reads a scenario from bytes (as read from a file).
pub fn load_scenario_bytes(bytes: &[u8], eco: &Ecosystem) -> LoadedScenario {
    if bytes.len() > MAX_SCENARIO_BYTES {
        return LoadedScenario {
            text: String::new(),
            scenario: None,
            diagnostics: vec![Diagnostic::error(
                format!(
                    "scenario file is {} bytes, larger than the {MAX_SCENARIO_BYTES}-byte limit",
                    bytes.len()
                ),
                None,
            )],
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_scenario(text, eco),
        Err(err) => LoadedScenario {
            text: String::from_utf8_lossy(bytes).into_owned(),
            scenario: None,
            diagnostics: vec![
                Diagnostic::error(
                    format!(
                        "scenario file is not valid UTF-8 (invalid byte at byte {})",
                        err.valid_up_to()
                    ),
                    None,
                )
                .with_help("save the file as UTF-8"),
            ],
        },
    }
}

const TOP_KEYS: &[&str] = &[
    "scenario",
    "parameters",
    "interventions",
    "campaign",
    "organisation",
];
const ORGANISATION_KEYS: &[&str] = &["id", "staff", "segments", "clients"];
const CLIENTS_KEYS: &[&str] = &["country", "hospitals", "primary_care"];
const SCENARIO_KEYS: &[&str] = &[
    "name",
    "description",
    "days",
    "replicates",
    "seed",
    "scale",
    "fixed_network",
];
const CAMPAIGN_KEYS: &[&str] = &[
    "name",
    "vector",
    "threat",
    "target",
    "start_day",
    "period_days",
    "waves",
    "org_share",
    "staff_share",
    "lure_odds_ratio",
    "suppliers",
    "initial_infections",
    "kill_switch_day",
    "disclosure_day",
    "countries",
    "organisation",
    "sole_provider",
];

/// Reads and validates a scenario against the model.
pub fn load_scenario(text: &str, eco: &Ecosystem) -> LoadedScenario {
    let mut diags = Vec::new();
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in &errors {
            diags.push(Diagnostic::error(
                e.message().trim().trim_end_matches('.').to_owned(),
                e.span(),
            ));
        }
        return LoadedScenario {
            text: text.to_owned(),
            scenario: None,
            diagnostics: diags,
        };
    }
    let root = table.into_inner();
    let mut sc = Scenario::empty("scenario");
    let mut r = Reader { diags: &mut diags };
    r.unknown_keys(&root, TOP_KEYS, "");
    if let Some(v) = find(&root, "scenario")
        && let Some(t) = r.table(v, "scenario")
    {
        {
            r.unknown_keys(t, SCENARIO_KEYS, "scenario.");
            if let Some(s) = find(t, "name").and_then(|v| r.string(v, "name")) {
                sc.name = s;
            }
            sc.description = find(t, "description").and_then(|v| r.string(v, "description"));
            if let Some(d) = find(t, "days").and_then(|v| {
                r.int(
                    v,
                    "days",
                    1,
                    MAX_DAYS as i64,
                    "a number of days from 1 to 3650",
                )
            }) {
                sc.days = d as u32;
            }
            if let Some(d) = find(t, "replicates").and_then(|v| {
                r.int(
                    v,
                    "replicates",
                    1,
                    MAX_REPLICATES as i64,
                    "1 to 100,000 replicates",
                )
            }) {
                sc.replicates = d as u32;
            }
            if let Some(d) =
                find(t, "seed").and_then(|v| r.int(v, "seed", 0, i64::MAX, "a seed of 0 or more"))
            {
                sc.seed = d as u64;
            }
            if let Some(v) = find(t, "fixed_network")
                && let Some(b) = r.boolean(v, "fixed_network")
            {
                sc.fixed_network = b;
            }
            if let Some(v) = find(t, "scale")
                && let Some(x) = r.float(v, "scale")
            {
                {
                    if x > 0.0 && x <= MAX_SCALE {
                        sc.scale = x;
                    } else {
                        r.err(
                            v,
                            format!("`scale` is {x}"),
                            "expected more than 0 and at most 10",
                        );
                    }
                }
            }
        }
    }
    if let Some(v) = find(&root, "parameters")
        && let Some(t) = r.table(v, "parameters")
    {
        for (k, x) in r.param_table(t, "parameters", PARAMETERS) {
            if let Some(slot) = sc.parameters.get_mut(k) {
                *slot = x;
            }
        }
    }
    if let Some(v) = find(&root, "interventions")
        && let Some(t) = r.table(v, "interventions")
    {
        let keys: Vec<&str> = INTERVENTIONS
            .iter()
            .map(|s| s.key)
            .chain(["sharing"])
            .collect();
        let mut rest = DeTable::new();
        for (k, v) in t.iter() {
            if k.get_ref() == "sharing" {
                if let Some(s) = r.string(v, "sharing") {
                    match s.as_str() {
                        "none" => sc.sharing = Sharing::None,
                        "national" => sc.sharing = Sharing::National,
                        "european" => sc.sharing = Sharing::European,
                        other => r.err(
                            v,
                            format!("unknown sharing `{other}`"),
                            "expected `none`, `national` or `european`",
                        ),
                    }
                }
            } else if keys.contains(&k.get_ref().as_ref()) {
                rest.insert(k.clone(), v.clone());
            } else {
                r.unknown_key(k, &keys, "interventions.");
            }
        }
        for (k, x) in r.param_table(&rest, "interventions", INTERVENTIONS) {
            if let Some(slot) = sc.interventions.get_mut(k) {
                *slot = x;
            }
        }
    }
    let p = &sc.parameters;
    if p.remediation_d25 > p.remediation_d50 || p.remediation_d50 > p.remediation_d75 {
        let span = find(&root, "parameters").map(|v| v.span());
        r.diags.push(
            Diagnostic::error(
                "remediation days must not decrease from d25 to d50 to d75",
                span,
            )
            .with_label("expected remediation_d25 <= remediation_d50 <= remediation_d75"),
        );
    }
    if p.worm_local_share + p.worm_national_share > 1.0 {
        let span = find(&root, "parameters").map(|v| v.span());
        r.diags.push(
            Diagnostic::error(
                "worm_local_share + worm_national_share is more than 1",
                span,
            )
            .with_label("expected shares summing to at most 1"),
        );
    }
    if let Some(v) = find(&root, "campaign") {
        match v.get_ref() {
            DeValue::Array(items) => {
                for item in items {
                    if let Some(t) = r.table(item, "campaign")
                        && let Some(c) = r.campaign(t, item.span(), eco, sc.days)
                    {
                        sc.campaigns.push(c);
                    }
                }
            }
            _ => r.err(
                v,
                "`campaign` must be an array of tables",
                "expected `[[campaign]]` entries",
            ),
        }
    }
    if let Some(v) = find(&root, "organisation") {
        match v.get_ref() {
            DeValue::Array(items) => {
                for item in items {
                    if let Some(t) = r.table(item, "organisation")
                        && let Some(entry) = r.organisation_entry(t, item.span(), eco)
                    {
                        if sc.organisations.iter().any(|o| o.id == entry.id) {
                            r.err(
                                item,
                                format!("organisation `{}` is given twice", entry.id),
                                "expected one `[[organisation]]` entry per organisation",
                            );
                        } else {
                            sc.organisations.push(entry);
                        }
                    }
                }
            }
            _ => r.err(
                v,
                "`organisation` must be an array of tables",
                "expected `[[organisation]]` entries",
            ),
        }
    }
    diags.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    let scenario = if diags.iter().any(Diagnostic::is_error) {
        None
    } else {
        Some(sc)
    };
    LoadedScenario {
        text: text.to_owned(),
        scenario,
        diagnostics: diags,
    }
}

type Val<'i> = Spanned<DeValue<'i>>;

fn find<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Val<'i>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

struct Reader<'d> {
    diags: &'d mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn err(&mut self, v: &Val<'_>, message: impl Into<String>, label: &str) {
        self.diags
            .push(Diagnostic::error(message, Some(v.span())).with_label(label));
    }

    fn err_span(&mut self, span: Range<usize>, message: impl Into<String>, label: &str) {
        self.diags
            .push(Diagnostic::error(message, Some(span)).with_label(label));
    }

    fn unknown_key(
        &mut self,
        k: &Spanned<std::borrow::Cow<'_, str>>,
        allowed: &[&str],
        prefix: &str,
    ) {
        let mut d = Diagnostic::error(
            format!("unknown key `{prefix}{}`", k.get_ref()),
            Some(k.span()),
        )
        .with_label(format!(
            "expected one of {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(best) = did_you_mean(k.get_ref(), allowed.iter().copied()) {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        self.diags.push(d);
    }

    fn unknown_keys(&mut self, t: &DeTable<'_>, allowed: &[&str], prefix: &str) {
        for (k, _) in t.iter() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                self.unknown_key(k, allowed, prefix);
            }
        }
    }

    fn table<'a, 'i>(&mut self, v: &'a Val<'i>, key: &str) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.err(
                    v,
                    format!("`{key}` must be a table"),
                    &format!("expected `[{key}]`"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Val<'_>, key: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.err(
                    v,
                    format!("`{key}` is {}", with_article(other.type_str())),
                    "expected true or false",
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Val<'_>, key: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.err(
                    v,
                    format!("`{key}` is {}", with_article(other.type_str())),
                    "expected a string",
                );
                None
            }
        }
    }

    fn float(&mut self, v: &Val<'_>, key: &str) -> Option<f64> {
        let x = match v.get_ref() {
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()).map(|i| i as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            other => {
                self.err(
                    v,
                    format!("`{key}` is {}", with_article(other.type_str())),
                    "expected a number",
                );
                return None;
            }
        };
        match x {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                self.err(
                    v,
                    format!("`{key}` is not a finite number"),
                    "expected a finite number",
                );
                None
            }
        }
    }

    fn int(&mut self, v: &Val<'_>, key: &str, min: i64, max: i64, expected: &str) -> Option<i64> {
        match v.get_ref() {
            DeValue::Integer(i) => match parse_int(i.as_str(), i.radix()) {
                Some(x) if (min..=max).contains(&x) => Some(x),
                Some(x) => {
                    self.err(
                        v,
                        format!("`{key}` is {x}"),
                        &format!("expected {expected}"),
                    );
                    None
                }
                None => {
                    self.err(
                        v,
                        format!("`{key}` is out of range"),
                        &format!("expected {expected}"),
                    );
                    None
                }
            },
            other => {
                self.err(
                    v,
                    format!("`{key}` is {}", with_article(other.type_str())),
                    &format!("expected an integer: {expected}"),
                );
                None
            }
        }
    }

    fn param_table(
        &mut self,
        t: &DeTable<'_>,
        section: &str,
        specs: &[ParamSpec],
    ) -> Vec<(&'static str, f64)> {
        let mut out = Vec::new();
        let keys: Vec<&str> = specs.iter().map(|s| s.key).collect();
        for (k, v) in t.iter() {
            let Some(spec) = specs.iter().find(|s| s.key == k.get_ref()) else {
                self.unknown_key(k, &keys, &format!("{section}."));
                continue;
            };
            let Some(x) = self.float(v, spec.key) else {
                continue;
            };
            if x < spec.min || x > spec.max {
                let expected = if spec.min == 0.0 && spec.max == 1.0 {
                    "expected a probability from 0 to 1".to_owned()
                } else {
                    format!("expected {} to {}", spec.min, spec.max)
                };
                self.err(v, format!("`{}` is {x}", spec.key), &expected);
                continue;
            }
            out.push((spec.key, x));
        }
        out
    }

    fn campaign(
        &mut self,
        t: &DeTable<'_>,
        span: Range<usize>,
        eco: &Ecosystem,
        days: u32,
    ) -> Option<Campaign> {
        let errors_before = self.diags.len();
        self.unknown_keys(t, CAMPAIGN_KEYS, "campaign.");
        let name = find(t, "name").and_then(|v| self.string(v, "name"));
        let vector = match find(t, "vector") {
            None => Vector::Phishing,
            Some(v) => match self.string(v, "vector").as_deref() {
                Some("phishing") => Vector::Phishing,
                Some("intrusion") => Vector::Intrusion,
                Some("supplier") => Vector::Supplier,
                Some("worm") => Vector::Worm,
                Some(other) => {
                    let mut d =
                        Diagnostic::error(format!("unknown vector `{other}`"), Some(v.span()))
                            .with_label("expected `phishing`, `intrusion`, `supplier` or `worm`");
                    if let Some(b) = did_you_mean(other, Vector::NAMES.iter().copied()) {
                        d = d.with_help(format!("did you mean `{b}`?"));
                    }
                    self.diags.push(d);
                    Vector::Phishing
                }
                None => Vector::Phishing,
            },
        };
        let mut threat = None;
        match find(t, "threat") {
            None => self.err_span(
                span.clone(),
                "campaign has no `threat`",
                "expected `threat = \"<threat id of the model>\"`",
            ),
            Some(v) => {
                if let Some(id) = self.string(v, "threat") {
                    match eco.threat_by_id(&id) {
                        Some(ix) => threat = Some((ix, id)),
                        None => {
                            let mut d =
                                Diagnostic::error(format!("unknown threat `{id}`"), Some(v.span()))
                                    .with_label("expected a threat id of the model");
                            let ids = eco.threats.iter().map(|t| t.id.as_str());
                            d = match did_you_mean(&id, ids) {
                                Some(b) => d.with_help(format!("did you mean `{b}`?")),
                                None => d.with_help(format!(
                                    "the model's threats are: {}",
                                    eco.threats
                                        .iter()
                                        .map(|t| t.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )),
                            };
                            self.diags.push(d);
                        }
                    }
                }
            }
        }
        // `organisation = "hospital-DE-0042"`: exactly one synthetic organisation.
        let org_val = find(t, "organisation");
        let organisation = org_val.and_then(|v| self.organisation(v, "organisation", eco));
        let org_default_target = organisation.as_ref().and_then(|(org, _)| {
            eco.stakeholders
                .iter()
                .find(|s| {
                    let kinds = kinds_of(s.kind);
                    kinds.contains(&org.kind)
                        && (org.kind != OrgKind::Hospital
                            || s.kind == StakeholderKind::HealthcareOrganisation)
                })
                .map(|s| s.id.clone())
        });
        let default_target = match vector {
            _ if org_default_target.is_some() => None,
            Vector::Supplier => eco
                .stakeholders
                .iter()
                .find(|s| s.kind == StakeholderKind::SolutionProvider),
            _ => eco
                .stakeholders
                .iter()
                .find(|s| s.kind == StakeholderKind::HealthcareOrganisation),
        }
        .map(|s| s.id.clone());
        let mut target = None;
        let target_val = find(t, "target");
        let target_id = match target_val {
            Some(v) => self.string(v, "target"),
            None => default_target.or(org_default_target),
        };
        if let Some(id) = target_id {
            let at = target_val.map_or(span.clone(), |v| v.span());
            match eco.stakeholder_by_id(&id) {
                Some(ix) => {
                    let kinds = kinds_of(eco.stakeholder(ix).kind);
                    if kinds.is_empty() {
                        self.err_span(
                            at,
                            format!("stakeholder `{id}` has no simulated organisations"),
                            "expected a healthcare organisation, professional, solution provider, national system, agency or insurer",
                        );
                    } else if vector == Vector::Supplier && kinds != [OrgKind::Supplier] {
                        self.err_span(
                            at,
                            format!("a supplier campaign cannot target `{id}`"),
                            "expected a solution-provider stakeholder",
                        );
                    } else {
                        target = Some((ix, id, kinds));
                    }
                }
                None => {
                    let mut d = Diagnostic::error(format!("unknown stakeholder `{id}`"), Some(at))
                        .with_label("expected a stakeholder id of the model");
                    if let Some(b) =
                        did_you_mean(&id, eco.stakeholders.iter().map(|s| s.id.as_str()))
                    {
                        d = d.with_help(format!("did you mean `{b}`?"));
                    }
                    self.diags.push(d);
                }
            }
        } else if target_val.is_none() {
            self.err_span(
                span.clone(),
                "campaign has no `target`",
                "expected `target = \"<stakeholder id>\"`",
            );
        }
        let day_int = |r: &mut Self, key: &str, default: u32| -> u32 {
            find(t, key)
                .and_then(|v| {
                    r.int(v, key, 0, MAX_DAYS as i64, "a day from 0 to 3650")
                        .map(|x| x as u32)
                })
                .unwrap_or(default)
        };
        let start_day = day_int(self, "start_day", 0);
        let period_days = day_int(self, "period_days", 30);
        let waves = find(t, "waves")
            .and_then(|v| self.int(v, "waves", 1, 100_000, "1 to 100,000 waves"))
            .map_or(1, |x| x as u32);
        if let Some(v) = find(t, "start_day")
            && start_day >= days
            && self.diags.len() == errors_before
        {
            self.err(
                v,
                format!("`start_day` {start_day} is after the last simulated day"),
                &format!("expected a day below {days} (the scenario's days)"),
            );
        }
        if let Some(v) = find(t, "period_days")
            && period_days == 0
            && waves > 1
        {
            self.err(
                v,
                "`period_days` is 0 with several waves",
                "expected at least 1 day between waves",
            );
        }
        let prob = |r: &mut Self, key: &str| -> Option<f64> {
            let v = find(t, key)?;
            let x = r.float(v, key)?;
            if (0.0..=1.0).contains(&x) {
                Some(x)
            } else {
                r.err(
                    v,
                    format!("`{key}` is {x}"),
                    "expected a probability from 0 to 1",
                );
                None
            }
        };
        let org_share = prob(self, "org_share");
        let staff_share = prob(self, "staff_share").unwrap_or(1.0);
        let lure_odds_ratio = match find(t, "lure_odds_ratio") {
            Some(v) => match self.float(v, "lure_odds_ratio") {
                Some(x) if x > 0.0 && x <= 100.0 => x,
                Some(x) => {
                    self.err(
                        v,
                        format!("`lure_odds_ratio` is {x}"),
                        "expected more than 0 and at most 100",
                    );
                    1.0
                }
                None => 1.0,
            },
            None => 1.0,
        };
        let suppliers = find(t, "suppliers")
            .and_then(|v| self.int(v, "suppliers", 1, 1_000_000, "1 to 1,000,000 suppliers"))
            .map_or(1, |x| x as u32);
        let initial_infections = find(t, "initial_infections")
            .and_then(|v| {
                self.int(
                    v,
                    "initial_infections",
                    1,
                    10_000_000,
                    "1 to 10,000,000 segments",
                )
            })
            .map_or(10, |x| x as u32);
        let kill_switch_day = find(t, "kill_switch_day")
            .and_then(|v| {
                self.int(
                    v,
                    "kill_switch_day",
                    0,
                    MAX_DAYS as i64,
                    "a day from 0 to 3650",
                )
            })
            .map(|x| x as u32);
        let disclosure_day = match find(t, "disclosure_day") {
            Some(v) => self.float(v, "disclosure_day").unwrap_or(0.0),
            None => start_day as f64,
        };
        let countries = find(t, "countries")
            .map(|v| self.countries(v, eco))
            .unwrap_or_default();
        if let (Some((org, id)), Some(v)) = (&organisation, org_val) {
            if let Some(c) = find(t, "countries") {
                self.err(
                    c,
                    "`countries` and `organisation` in one campaign",
                    &format!("expected one of them: `{id}` already names its country"),
                );
            }
            if let Some((_, target_id, kinds)) = &target
                && !kinds.contains(&org.kind)
            {
                self.err(
                    v,
                    format!(
                        "organisation `{id}` is a {}, not one of `{target_id}`",
                        org.kind.as_str()
                    ),
                    &format!(
                        "expected an organisation of the target's kinds ({})",
                        kinds
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        let sole_provider = match find(t, "sole_provider") {
            Some(v) => {
                let sole = self.boolean(v, "sole_provider");
                let names_supplier = organisation
                    .as_ref()
                    .is_some_and(|(org, _)| org.kind == OrgKind::Supplier);
                if sole.is_some() && !names_supplier {
                    self.err(
                        v,
                        "`sole_provider` without a supplier named by `organisation`",
                        "expected `organisation = \"supplier-NNNN\"` in the same campaign",
                    );
                }
                sole
            }
            None => None,
        };
        if self.diags.len() > errors_before {
            return None;
        }
        let (threat, threat_id) = threat?;
        let (target, target_id, kinds) = target?;
        // Default volume from the model: the threat's mean attempts per organisation-year,
        // spread over the waves of a year.
        // A named organisation is reached by every wave unless `org_share` says otherwise.
        let named = organisation.is_some();
        let org_share = org_share.unwrap_or_else(|| {
            if named {
                return 1.0;
            }
            let per_year = eco.threat(threat).frequency.mean();
            let waves_per_year = if waves > 1 && period_days > 0 {
                365.0 / period_days as f64
            } else {
                1.0
            };
            (per_year / waves_per_year).clamp(0.0, 1.0)
        });
        Some(Campaign {
            name: name
                .unwrap_or_else(|| format!("{} {}", threat_id, Vector::NAMES[vector as usize])),
            vector,
            threat,
            threat_id,
            target,
            target_id,
            kinds,
            start_day,
            period_days,
            waves,
            org_share,
            staff_share,
            lure_odds_ratio,
            suppliers,
            initial_infections,
            kill_switch_day,
            disclosure_day,
            countries,
            organisation: organisation.map(|(_, id)| id),
            sole_provider,
        })
    }

    /// `[[organisation]]`: `id` of a known country and `staff`, `segments`,
    /// `clients` (a supplier's) or several. Whether the organisation exists
    /// depends on the scale, checked when its network is drawn
    /// ([`crate::engine::synthesise`]).
    fn organisation_entry(
        &mut self,
        t: &DeTable<'_>,
        span: Range<usize>,
        eco: &Ecosystem,
    ) -> Option<OrganisationEntry> {
        self.unknown_keys(t, ORGANISATION_KEYS, "organisation.");
        // Without an id, the rest is still checked, so that every error is
        // reported at once.
        let org = match find(t, "id") {
            Some(id_val) => self.organisation(id_val, "organisation.id", eco),
            None => {
                self.err_span(
                    span.clone(),
                    "`[[organisation]]` without `id`",
                    "expected `id = \"hospital-DE-0042\"`",
                );
                None
            }
        };
        let staff = find(t, "staff").map(|v| {
            self.int(
                v,
                "staff",
                1,
                MAX_ORGANISATION_STAFF,
                "staff at scale 1, 1 to 1,000,000",
            )
        });
        let segments = find(t, "segments").map(|v| {
            self.int(
                v,
                "segments",
                1,
                MAX_ORGANISATION_SEGMENTS,
                "network segments, 1 to 1,024",
            )
        });
        let clients = find(t, "clients").map(|v| {
            let of_supplier = match &org {
                Some((r, id)) if r.kind != crate::synth::OrgKind::Supplier => {
                    self.err(
                        v,
                        format!("`clients` of `{id}`, a {} organisation", r.kind.as_str()),
                        "expected a supplier's entry (`id = \"supplier-0050\"`): only solution providers have clients",
                    );
                    false
                }
                _ => true,
            };
            self.clients(v, eco).filter(|_| of_supplier)
        });
        let (staff, segments, clients) = match (staff, segments, clients) {
            (None, None, None) => {
                self.err_span(
                    span,
                    "`[[organisation]]` gives nothing about its organisation",
                    "expected `staff`, `segments`, `clients` (a supplier's) or several",
                );
                return None;
            }
            // A value out of range or of the wrong type was reported above.
            (Some(None), _, _) | (_, Some(None), _) | (_, _, Some(None)) => return None,
            (staff, segments, clients) => (staff.flatten(), segments.flatten(), clients.flatten()),
        };
        Some(OrganisationEntry {
            id: org?.1,
            staff: staff.map(|x| x as u32),
            segments: segments.map(|x| x as u32),
            clients,
        })
    }

    /// `clients = { country = "UK", hospitals = 7, primary_care = 190 }`: a
    /// known country and at least one client at scale 1.
    fn clients(&mut self, v: &Val<'_>, eco: &Ecosystem) -> Option<Clients> {
        let t = self.table(v, "organisation.clients")?;
        self.unknown_keys(t, CLIENTS_KEYS, "organisation.clients.");
        let country = match find(t, "country") {
            None => {
                self.err(
                    v,
                    "`clients` without `country`",
                    "expected `country = \"UK\"`: a supplier's given clients are in one country",
                );
                None
            }
            Some(c) => self.string(c, "country").and_then(|written| {
                let code = country_code(eco, &written);
                if eco.countries.iter().any(|k| k.code == code) {
                    Some(code)
                } else {
                    self.diags.push(unknown_country(
                        eco,
                        &code,
                        format!("unknown country `{code}` in `clients`"),
                        c.span(),
                    ));
                    None
                }
            }),
        };
        let mut count = |key: &str| {
            find(t, key).map(|v| {
                self.int(
                    v,
                    key,
                    0,
                    MAX_CLIENTS,
                    &format!("{key} clients at scale 1, 0 to 100,000"),
                )
            })
        };
        let (hospitals, primary_care) = (count("hospitals"), count("primary_care"));
        let (hospitals, primary_care) = match (hospitals, primary_care) {
            (Some(None), _) | (_, Some(None)) => return None,
            (h, pc) => (h.flatten().unwrap_or(0), pc.flatten().unwrap_or(0)),
        };
        if hospitals + primary_care == 0 {
            self.err(
                v,
                "`clients` lists no client",
                "expected `hospitals`, `primary_care` or both, at least one client in all",
            );
            return None;
        }
        Some(Clients {
            country: country?,
            hospitals: hospitals as u32,
            primary_care: primary_care as u32,
        })
    }

    /// `organisation = "hospital-DE-0042"`: a well-formed id of a known country.
    /// Whether it exists depends on the scale, checked when the run starts
    /// ([`crate::engine::check_countries`]).
    fn organisation(
        &mut self,
        v: &Val<'_>,
        key: &str,
        eco: &Ecosystem,
    ) -> Option<(crate::synth::OrgRef, String)> {
        use crate::synth::{ORG_ID_FORMS, parse_org_id};
        let written = self.string(v, key)?;
        let mut org = match parse_org_id(&written) {
            Ok(org) => org,
            Err(expected) => {
                self.diags.push(
                    Diagnostic::error(format!("unknown organisation `{written}`"), Some(v.span()))
                        .with_label(expected)
                        .with_help(format!("organisation ids look like {ORG_ID_FORMS}")),
                );
                return None;
            }
        };
        if let Some(written_code) = org.country.clone() {
            let code = country_code(eco, &written_code);
            let codes = || eco.countries.iter().map(|c| c.code.as_str());
            if !codes().any(|c| c == code) {
                self.diags.push(unknown_country(
                    eco,
                    &code,
                    format!("unknown country `{code}` in organisation `{written}`"),
                    v.span(),
                ));
                return None;
            }
            org.country = Some(code);
        }
        let id = org.id();
        Some((org, id))
    }

    /// `countries = ["IE", "UK"]`: known codes, no repeats, not empty.
    fn countries(&mut self, v: &Val<'_>, eco: &Ecosystem) -> Vec<String> {
        let codes = || eco.countries.iter().map(|c| c.code.as_str());
        let DeValue::Array(items) = v.get_ref() else {
            self.err(
                v,
                format!("`countries` is {}", with_article(v.get_ref().type_str())),
                "expected a list of country codes, e.g. [\"IE\", \"UK\"]",
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.err(
                v,
                "`countries` is empty",
                "expected at least one country code (leave the key out for all countries)",
            );
        }
        let mut out: Vec<String> = Vec::new();
        for item in items {
            let Some(code) = self.string(item, "countries") else {
                continue;
            };
            let written = code;
            let code = country_code(eco, &written);
            if !codes().any(|c| c == code) {
                self.diags.push(unknown_country(
                    eco,
                    &code,
                    format!("unknown country `{code}`"),
                    item.span(),
                ));
            } else if out.contains(&code) {
                let also = if written == code {
                    String::new()
                } else {
                    format!(" (as `{written}`)")
                };
                self.err(
                    item,
                    format!("country `{code}` is listed twice{also}"),
                    "expected each country once",
                );
            } else {
                out.push(code);
            }
        }
        out
    }
}

/// A country code the model's `[[country]]` table lacks: the closest code,
/// or every code when none is close.
fn unknown_country(eco: &Ecosystem, code: &str, message: String, span: Range<usize>) -> Diagnostic {
    let codes = || eco.countries.iter().map(|c| c.code.as_str());
    let d = Diagnostic::error(message, Some(span))
        .with_label("expected a country code of the synthetic ecosystem");
    match did_you_mean(code, codes()) {
        Some(b) => d.with_help(format!("did you mean `{b}`?")),
        None => d.with_help(format!(
            "the codes are: {}",
            codes().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The model's code for a country code as written: ISO 3166 and Eurostat
/// spell two of them differently (`GB`/`UK`, `GR`/`EL`), so either is
/// accepted, whichever the model's `[[country]]` table uses.
fn country_code(eco: &Ecosystem, written: &str) -> String {
    let known = |c: &str| eco.countries.iter().any(|x| x.code == c);
    let alias = match written {
        "GB" => "UK",
        "UK" => "GB",
        "EL" => "GR",
        "GR" => "EL",
        _ => "",
    };
    if !known(written) && known(alias) {
        alias.to_owned()
    } else {
        written.to_owned()
    }
}

fn parse_int(text: &str, radix: u32) -> Option<i64> {
    let clean = text.replace('_', "");
    let digits = clean
        .trim_start_matches("0x")
        .trim_start_matches("0o")
        .trim_start_matches("0b");
    i64::from_str_radix(digits, radix).ok()
}

/// A TOML type's name with its indefinite article ("an integer", "a string").
fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}
