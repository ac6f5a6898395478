"""Seeds a CISO Assistant community database (Django shell) at the scale of
bench/server/run.sh: ORGS domains (folders), one perimeter each, CAS compliance
assessments of one small framework spread over them, each with its requirement
assessments (the "answers"), results cycling through the four outcomes.
Bulk inserts (no signals), in one transaction; prints the id of one assessment
of the first domain and the counts.

Run by bench/server/peer_ciso.sh:
    ORGS=1000 CAS=10000 python manage.py shell < bench/server/ciso_seed.py
"""
import os
import time

from django.db import transaction

from core.models import (
    ComplianceAssessment,
    Framework,
    Perimeter,
    RequirementAssessment,
    RequirementNode,
    StoredLibrary,
)
from iam.models import Folder

ORGS = int(os.environ.get("ORGS", "1000"))
CAS = int(os.environ.get("CAS", "10000"))
URN = "urn:intuitem:risk:library:secnumcloud-3.2-annexe-2"

start = time.time()
if not Framework.objects.exists():
    StoredLibrary.objects.filter(urn=URN).first().load()
framework = Framework.objects.get()
nodes = list(RequirementNode.objects.filter(framework=framework))
root = Folder.get_root_folder()
results = ["compliant", "partially_compliant", "non_compliant", "not_applicable"]
with transaction.atomic():
    folders = Folder.objects.bulk_create(
        Folder(
            name=f"bench-org-{k + 1:05}",
            content_type=Folder.ContentType.DOMAIN,
            parent_folder=root,
        )
        for k in range(ORGS)
    )
    perimeters = Perimeter.objects.bulk_create(
        Perimeter(name=f"perimeter {k + 1}", folder=f) for k, f in enumerate(folders)
    )
    cas = ComplianceAssessment.objects.bulk_create(
        ComplianceAssessment(
            name=f"assessment {a + 1}",
            folder=folders[a % ORGS],
            perimeter=perimeters[a % ORGS],
            framework=framework,
            min_score=framework.min_score,
            max_score=framework.max_score,
            scores_definition=framework.scores_definition,
        )
        for a in range(CAS)
    )
    batch = []
    for a, ca in enumerate(cas):
        for n, node in enumerate(nodes):
            batch.append(
                RequirementAssessment(
                    compliance_assessment=ca,
                    requirement=node,
                    folder=ca.folder,
                    result=results[(n * 7 + a) % 4],
                    answers={},
                )
            )
        if len(batch) >= 20000:
            RequirementAssessment.objects.bulk_create(batch)
            batch = []
    RequirementAssessment.objects.bulk_create(batch)
print(
    f"seeded {ORGS} domains, {CAS} compliance assessments, "
    f"{RequirementAssessment.objects.count()} requirement assessments "
    f"({len(nodes)} per assessment) in {time.time() - start:.0f} s"
)
print(f"FIRST_CA={cas[0].id}")
print("CAS_OF_FIRST=" + ",".join(str(c.id) for c in cas[::ORGS]))
