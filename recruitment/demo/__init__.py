"""The admission pipeline of the demo province: candidates in every stage and exit, the classes
they took, and the cases that trip each warning of the rules.

`reports.demo.build_demo` calls `build_candidates` after the members' part of the demo
(`members.demo`: the tree, the rolls and the demo logins) exists, and before the quotas. Nothing
here knows about the reports. Each module is named after what it knows:
- `cells`: each active cell's commune, committee and roll (helpers, introducers, vote figures);
- `small_cell`: the company cell with two full members that rule 7 warns about;
- `classes`: the classes each commune held, one or two a year, and the one still open;
- `persons`: who the candidates are (age, gender, the body that proposed them);
- `timeline`: the dates of one candidate's steps, fitted to end on a chosen day;
- `planner`: a whole `Plan` per candidate, before any service is called;
- `mix`: the showcase every build has and the weights of the rest;
- `paperwork`: reasons, places and the numbering of decisions and certificates;
- `early`: the steps before the dossier, written in bulk;
- `walk`: the rest of each plan carried out through `recruitment.services`;
- `counts`: what the summary prints.

Where the rules run, from the dossier on, every step goes through `recruitment.services` (about
4,100 calls at full size, some 20 s on SQLite here; docs/performance.md), so `open_findings` and
the history are what the application itself would have written. The steps before the dossier
(proposal, class enrolment and results), where no rule runs, are written in bulk with the same
rows the services write (`early`).
"""

from .build import CandidateReport, build_candidates
from .counts import PipelineCounts, collect_pipeline, format_pipeline
from .walk import Refusal

__all__ = ["CandidateReport", "PipelineCounts", "Refusal", "build_candidates", "collect_pipeline", "format_pipeline"]
