#!/usr/bin/env python3
"""Reduced phishing + supplier propagation model in Mesa (3.x), for the speed comparison
with `holisec simulate` (bench/sim_vs_mesa/run.sh, docs/benchmarks.md).

The model, written the way a Mesa user would write it (one agent step per staff member
per day, organisations as agents too):

* N hospitals with S staff each, M suppliers with `supplier_staff` staff each.
* Staff belong to two propensity classes (simulation-models.md 1.1 / Gordon et al. 2019):
  `offender_share` of them click with `offender_odds_ratio` times the odds of the others,
  calibrated so the mean click probability is `click_rate` (as holisec's
  `synth::class_probabilities`).
* Campaign days: day 0, `period`, 2*`period`, ... (`waves` of them). On a campaign day each
  staff agent receives the lure with probability `staff_share`, clicks with its class
  probability p and has its credentials captured with probability q.
* An organisation with at least one captured credential becomes infected (foothold).
* Hospitals link to suppliers through a bipartite graph (each hospital picks
  `links` suppliers, mostly by preferential attachment: a few suppliers serve many hospitals).
  An infected supplier infects each of its clients with probability r per day (applied at
  the next day boundary).
* Infected organisations recover after D days (and stay recovered).

Seeded: the same --seed gives the same output. Prints one JSON line with the sizes, the
wall time and the outcome counts.
"""

import argparse
import json
import time

import mesa

SUSCEPTIBLE, INFECTED, RECOVERED = 0, 1, 2


def class_probabilities(p, offender_share, odds_ratio):
    """(p_regular, p_offender) such that the class mixture averages to p."""
    if p <= 0.0 or p >= 1.0 or offender_share <= 0.0:
        return p, p

    def mean(o):
        pn = o / (1.0 + o)
        po = odds_ratio * o / (1.0 + odds_ratio * o)
        return (1.0 - offender_share) * pn + offender_share * po, pn, po

    lo, hi = 0.0, p / (1.0 - p)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        m, _, _ = mean(mid)
        if m < p:
            lo = mid
        else:
            hi = mid
    _, pn, po = mean(0.5 * (lo + hi))
    return pn, po


class Organisation(mesa.Agent):
    """A hospital or a supplier."""

    def __init__(self, model, kind):
        super().__init__(model)
        self.kind = kind
        self.state = SUSCEPTIBLE
        self.infected_day = -1
        self.captured_today = 0
        self.pushed = False  # infected by a supplier since the last day boundary
        self.clients = []

    def infect(self):
        self.state = INFECTED
        self.infected_day = self.model.day
        self.model.infections += 1

    def step(self):
        m = self.model
        if self.state == SUSCEPTIBLE and (self.captured_today > 0 or self.pushed):
            self.infect()
        self.captured_today = 0
        self.pushed = False
        if self.state == INFECTED:
            if m.day - self.infected_day >= m.recovery_days:
                self.state = RECOVERED
            elif self.kind == "supplier":
                for client in self.clients:
                    if client.state == SUSCEPTIBLE and self.random.random() < m.r:
                        client.pushed = True


class Staff(mesa.Agent):
    """A staff member of an organisation."""

    def __init__(self, model, org, offender):
        super().__init__(model)
        self.org = org
        self.offender = offender
        self.clicks = 0
        self.captured = False

    def step(self):
        m = self.model
        if not m.campaign_today:
            return
        if self.random.random() >= m.staff_share:
            return
        p = m.p_offender if self.offender else m.p_regular
        if self.random.random() < p:
            self.clicks += 1
            m.clicks += 1
            if self.random.random() < m.q:
                self.captured = True
                m.credentials_captured += 1
                self.org.captured_today += 1


class ReducedModel(mesa.Model):
    """Staff phishing plus organisation infection over a supplier graph."""

    def __init__(self, hospitals=50, staff=200, suppliers=5, supplier_staff=50, links=5,
                 uniform_share=0.2, click_rate=0.142, offender_share=0.143,
                 offender_odds_ratio=3.0, q=0.5, staff_share=0.05, period=30, waves=3,
                 r=0.1, recovery_days=30, seed=1):
        super().__init__(seed=seed)
        self.day = 0
        self.period, self.waves = period, waves
        self.staff_share, self.q, self.r = staff_share, q, r
        self.recovery_days = recovery_days
        self.p_regular, self.p_offender = class_probabilities(
            click_rate, offender_share, offender_odds_ratio)
        self.campaign_today = False
        self.clicks = self.credentials_captured = self.infections = 0

        self.hospitals = [Organisation(self, "hospital") for _ in range(hospitals)]
        self.suppliers = [Organisation(self, "supplier") for _ in range(suppliers)]
        # Bipartite hospital-supplier graph, preferential attachment on client counts.
        if self.suppliers:
            for h in self.hospitals:
                chosen = set()
                for _ in range(min(links, len(self.suppliers))):
                    while True:
                        if self.random.random() < uniform_share:
                            s = self.random.randrange(len(self.suppliers))
                        else:
                            weights = [1 + len(x.clients) for x in self.suppliers]
                            s = self.random.choices(range(len(self.suppliers)), weights)[0]
                        if s not in chosen:
                            break
                    chosen.add(s)
                    self.suppliers[s].clients.append(h)
        n_staff = 0
        for org, size in [(h, staff) for h in self.hospitals] + \
                [(s, supplier_staff) for s in self.suppliers]:
            offenders = round(size * offender_share)
            for i in range(size):
                Staff(self, org, i < offenders)
            n_staff += size
        self.n_staff = n_staff
        self.datacollector = mesa.DataCollector(model_reporters={
            "infected": lambda m: sum(o.state == INFECTED for o in m.hospitals + m.suppliers),
            "recovered": lambda m: sum(o.state == RECOVERED for o in m.hospitals + m.suppliers),
            "credentials": lambda m: m.credentials_captured,
        })

    def step(self):
        self.campaign_today = (self.day % self.period == 0
                               and self.day // self.period < self.waves)
        self.agents_by_type[Staff].shuffle_do("step")
        self.agents_by_type[Organisation].shuffle_do("step")
        self.datacollector.collect(self)
        self.day += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hospitals", type=int, default=50)
    ap.add_argument("--staff", type=int, default=200, help="staff per hospital")
    ap.add_argument("--suppliers", type=int, default=5)
    ap.add_argument("--supplier-staff", type=int, default=50)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--replicates", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    start = time.perf_counter()
    outcomes = []
    n_staff = 0
    for rep in range(a.replicates):
        model = ReducedModel(hospitals=a.hospitals, staff=a.staff, suppliers=a.suppliers,
                             supplier_staff=a.supplier_staff, seed=a.seed + rep)
        n_staff = model.n_staff
        for _ in range(a.days):
            model.step()
        outcomes.append({
            "orgs_infected": model.infections,
            "credentials_captured": model.credentials_captured,
            "staff_clicked": model.clicks,
        })
    wall = time.perf_counter() - start
    print(json.dumps({
        "engine": "mesa", "mesa_version": mesa.__version__,
        "organisations": a.hospitals + a.suppliers, "staff": n_staff, "days": a.days,
        "replicates": a.replicates, "wall_seconds": wall,
        "agent_days_per_second": n_staff * a.days * a.replicates / wall,
        "outcomes": outcomes,
    }))


if __name__ == "__main__":
    main()
