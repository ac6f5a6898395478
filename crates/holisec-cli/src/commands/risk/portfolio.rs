//! `holisec risk --portfolio`'s text: members, sharing, and the tail with and
//! without shared suppliers.

use std::fmt::Write;

use holisec_risk::portfolio::PortfolioReport;

use crate::table::{Table, thousands as money};

/// Appends the portfolio section to `out`.
pub(super) fn text(out: &mut String, p: &PortfolioReport) {
    let _ = writeln!(
        out,
        "\nPortfolio: {} organisations of `{}`, {} simulated years",
        p.organisations,
        p.stakeholder,
        money(p.iterations as f64)
    );
    let _ = writeln!(out, "  Sharing: {}", p.sharing_structure);
    let _ = writeln!(
        out,
        "  Clients per provider: {}",
        p.providers
            .iter()
            .map(|s| s.clients.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "  Shared-supplier scenarios: {}",
        if p.shared_supplier_scenarios.is_empty() {
            "none".into()
        } else {
            p.shared_supplier_scenarios.join(", ")
        }
    );
    let mut t = Table::new(&[
        "",
        ">ALE",
        "?>p50",
        ">p95",
        ">p99",
        ">p99.5",
        "?>members hit p99",
        "?>max",
    ]);
    for (name, s, hit) in [
        ("independent", &p.independent, &p.members_hit_independent),
        (
            "shared suppliers",
            &p.shared_suppliers,
            &p.members_hit_shared,
        ),
    ] {
        t.row(vec![
            name.into(),
            money(s.ale),
            money(s.percentiles.p50),
            money(s.percentiles.p95),
            money(s.percentiles.p99),
            money(s.percentiles.p99_5),
            hit.p99.to_string(),
            hit.max.to_string(),
        ]);
    }
    out.push_str(&t.render());
    let _ = writeln!(
        out,
        "  Accumulation through shared suppliers: p99 x{:.2}, p99.5 x{:.2}",
        p.p99_ratio, p.p99_5_ratio
    );
}
