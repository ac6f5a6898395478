//! Plausible ranges of the simulator's engineering estimates.
//!
//! Most `[parameters]` marked `[E]` in [`crate::scenario::PARAMETERS`] have no
//! published value. Each gets here the range a reader should consider
//! plausible, with the reason for its ends, so that a sensitivity sweep (or a
//! reader changing one by hand) knows how far to move it. A range is narrower
//! than the parameter's allowed range (which only keeps the engine computable)
//! and always holds the default. The unit tests keep this table and the
//! parameter table in step: a new `[E]` parameter without a range fails them.

use serde::Serialize;

/// The plausible range of one estimated parameter.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EstimateRange {
    /// Key in `[parameters]`.
    pub key: &'static str,
    /// Low end.
    pub low: f64,
    /// High end.
    pub high: f64,
    /// Why these ends.
    pub why: &'static str,
}

macro_rules! ranges {
    ($( $key:ident: $low:expr, $high:expr, $why:literal; )+) => {
        /// Every estimated parameter's plausible range, in the order of `PARAMETERS`.
        pub const ESTIMATE_RANGES: &[EstimateRange] = &[
            $( EstimateRange { key: stringify!($key), low: $low, high: $high, why: $why } ),+
        ];
    };
}

ranges! {
    click_rate_concentration: 8.0, 80.0, "90% of institutions between about 1% and 38% at 8, 8% and 21% at 80 (24: 5% to 27%); Gordon 2019's institution medians of 7.4%-30.7% sit in between";
    offender_odds_ratio: 2.0, 6.0, "two thirds to twice the default; the JAMIA 2019 repeat-clicker counts are matched near 3";
    credential_rate: 0.25, 0.75, "covers the shares of clickers who submitted credentials in simulated campaigns, 44% (CyberPilot), 60% (Terranova 2023) and 65% in Europe (Terranova 2020); Terranova 2019's 18% lies below";
    payload_rate: 0.1, 0.6, "macro blocking and EDR make it small in managed estates, large in unmanaged ones";
    foothold_success: 0.2, 0.8, "Sophos 2024 ranks credentials and exploits as the two main root causes without a conversion rate; a credential is usable where MFA is missing or bypassed (59% of Sophos 2026's cases) and not yet reset";
    report_detection: 0.1, 0.6, "SOCs without a reporting button act on few reports, mature ones on most";
    trusted_sender_odds_ratio: 1.2, 4.0, "from barely more credible than an external lure to above the 2.7 of vendor e-mail compromise in EMEA (Abnormal 2025); students' 13.5 (Jagatic et al. 2007) is an outlier";
    mailbox_abuse: 0.1, 0.6, "operators after ransom use a mailbox less often than those after onward access";
    mailbox_partners: 1.0, 6.0, "the mailbox channel stays subcritical at the low end and nears criticality at the high end";
    mailbox_supplier_share: 0.005, 0.08, "quarter to four times the calibrated share (1-2% of providers compromised a year under the shipped campaign)";
    mailbox_recipients: 3.0, 30.0, "a targeted lure to a few contacts up to a department's distribution list (Ho et al. 2019: about 50 recipients per lateral phishing e-mail, all organisations together)";
    dwell_sigma: 0.5, 1.2, "keeps the fast ransomware mode within days to a few weeks around the 5-day median";
    dwell_slow_share: 0.05, 0.4, "M-Trends' split between ransomware (5 d) and other intrusions (45 d) medians puts a slow share between these";
    dwell_slow_sigma: 0.6, 1.5, "slow-tail 99th percentile from about 6 months to over a year";
    containment_days: 0.5, 3.0, "hours with an incident-response retainer, days without";
    forensics_days: 1.0, 7.0, "a scoping day up to a week of external forensics before rebuilding";
    segment_reach_days: 1.0, 60.0, "from ransomware pushed by group policy in a day to a slow manual spread over two months; the default matches Sophos 2024's 58% of computers encrypted";
    segment_reachable: 0.6, 1.0, "from estates split into separate domains and offline networks, where an attacker holds well under two thirds, to a flat network where every segment is in reach";
    segment_reachable_concentration: 0.5, 20.0, "from estates that are either wholly flat or tightly split to estates that all resemble the mean";
    critical_segment_share: 0.1, 0.6, "from clinical systems on a tenth of an estate (one segment in ten) to most of it";
    sole_provider_share: 0.05, 0.3, "a third to twice the calibrated share (about 0.6 losses of a sole provider's service a year under the shipped campaign; two public European cases in 2022-2024)";
    switch_off_threshold: 0.2, 0.8, "no published decision rule: from switching off at the first encrypted fifth to holding on until most is lost";
    switch_off_detect: 0.0, 1.0, "no public estimate: never to always switching off on a detected domain compromise";
    switch_off_primary_care: 0.0, 0.5, "from primary care wholly on its own systems to half of it run on the national network (community services, practices on a national system)";
    switch_off_min_days: 1.0, 7.0, "a checked restart in a day up to a week of staged reconnection";
    restore_median_days: 10.0, 120.0, "from a hospital's recovery (19.4 d median, Sophos 2024) down to half of it, up to the HSE's four months";
    restore_sigma: 0.3, 1.3, "restoration times from tightly planned to as spread as hospitals' recoveries (1.318)";
    recovery_share_weight: 0.0, 1.0, "from a recovery whose length does not depend on how much was encrypted to one proportional to it";
    cleanup_days: 1.0, 10.0, "a re-imaged endpoint up to a domain-wide credential reset";
    supplier_weaponise: 0.01, 0.15, "supply-chain pushes are rare (ENISA 2023: 7% of health incidents involve the supply chain)";
    dependency_disruption: 0.03, 0.3, "a third to three times the default; ENISA 2023 counts supply-chain disruption in 7% of incidents";
    supplier_push_success: 0.03, 0.3, "Kaseya 2021's 25-40 downstream victims per compromised MSP are reached within this range of client shares";
    advisory_threshold: 1.0, 10.0, "a CSIRT that alerts on the first case, or only on a visible wave";
    advisory_delay_days: 0.25, 3.0, "same-day flash alerts to advisories after a few days' analysis";
    cross_border_delay_days: 0.0, 3.0, "simultaneous European alerting to a relay through the CSIRTs network";
    advisory_click_reduction: 0.1, 0.5, "an unread advisory to one that staff are briefed on";
    disconnect_rate: 0.2, 0.8, "NAO 2017: many trusts disconnected as a precaution, not all";
    disconnect_days: 1.0, 7.0, "WannaCry's precautionary disconnections lasted from a day to about a week (NAO 2017)";
    disconnect_prevalence: 0.002, 0.05, "a fifth to five times the WannaCry-England level of about 1% of organisations hit";
    precaution_patch_factor: 0.1, 0.6, "an advisory that triggers emergency patching to one that barely speeds routine patching";
    primary_care_share: 0.12, 0.4, "from England's general practice (12% of NHS staff, Nuffield Trust 2024) to a little above Germany's doctors' practices (37% of practice and hospital staff, Destatis 2022)";
    primary_care_staff: 4.0, 25.0, "from solo practices (a third of Dutch GP practices, Nivel 2017) to England's group practices (about 23 FTE, BMJ Open 2024); Germany's average 7.8 to 9.8 (Destatis)";
    staff_sigma: 0.7, 1.3, "fits of the Destatis 2017 bed-size classes with different tails";
    suppliers_per_hospital: 0.05, 0.2, "750 to 3,000 solution providers for 15,000 hospitals";
    hospital_supplier_links: 3.0, 10.0, "core EHR, network and MSP only, up to every clinical system's vendor with remote access";
    primary_care_supplier_links: 1.0, 3.0, "one practice-management vendor up to a few";
    supplier_uniform_share: 0.1, 0.4, "more or less concentration of hospitals on a few large vendors";
    insurers_per_country: 1.0, 5.0, "one national payer (tax-funded systems) up to the Netherlands' four main insurers or Belgium's five unions of sickness funds; Germany's 95 funds would need a per-country count";
    staff_per_segment: 75.0, 300.0, "twice as fine or twice as coarse network segmentation";
    exposed_share: 0.02, 0.36, "from 2% of US health organisations with a host matching ransomware tradecraft (Flare 2026) to 36% of German hospitals with vulnerable internet-facing services (CyCon 2021)";
    worm_contacts_per_day: 1.0, 4.0, "half to twice the default: the range over which the worm crosses its epidemic threshold";
    worm_steps_per_day: 12.0, 48.0, "a numerical step, not a belief: results should not depend on it";
    worm_local_share: 0.65, 0.85, "worms mostly spread inside the organisation; the high end leaves room for the national share";
    worm_national_share: 0.05, 0.15, "the national network's share of attempts; its high end keeps local + national at most 1";
    segmentation_block: 0.3, 0.8, "flat VLANs with permissive rules up to enforced tiering";
    backup_recovery_factor: 0.15, 0.6, "immutable backups cut recovery to a sixth, or to about 0.43 where Sophos 2023's victims restoring from backups (45% back within a week) are set against healthcare victims overall (22%, Sophos 2024) with the same spread";
}

/// The plausible range of the estimated parameter `key`, if it is one.
pub fn range_of(key: &str) -> Option<&'static EstimateRange> {
    ESTIMATE_RANGES.iter().find(|r| r.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{PARAMETERS, Parameters};

    #[test]
    fn every_estimate_has_a_range_and_every_range_an_estimate() {
        for spec in PARAMETERS {
            let estimated = spec.source.starts_with("[E]");
            assert_eq!(
                estimated,
                range_of(spec.key).is_some(),
                "`{}`: marked [E] = {estimated}, but the range table disagrees",
                spec.key
            );
        }
        for r in ESTIMATE_RANGES {
            assert!(
                PARAMETERS.iter().any(|s| s.key == r.key),
                "`{}` is not a parameter",
                r.key
            );
        }
    }

    #[test]
    fn ranges_hold_the_default_inside_the_allowed_range() {
        for r in ESTIMATE_RANGES {
            let spec = PARAMETERS.iter().find(|s| s.key == r.key).unwrap();
            assert!(
                spec.min <= r.low && r.low < r.high && r.high <= spec.max,
                "`{}`: {}..{} outside {}..{}",
                r.key,
                r.low,
                r.high,
                spec.min,
                spec.max
            );
            assert!(
                r.low <= spec.default && spec.default <= r.high,
                "`{}`: default {} outside {}..{}",
                r.key,
                spec.default,
                r.low,
                r.high
            );
        }
        // The worm's shares add to at most 1 at every corner of their ranges.
        let local = range_of("worm_local_share").unwrap();
        let national = range_of("worm_national_share").unwrap();
        assert!(local.high + national.high <= 1.0);
        let p = Parameters::default();
        assert!(p.worm_local_share + p.worm_national_share <= 1.0);
    }
}
