"""Forms of the admission pipeline: one per step, each handing its cleaned data to its service.

One module per step, as recruitment.services: `proposal`, `training` (a candidate's enrolment and the
class pages), `dossier`, `votes`, `decision`, `ceremony`, `probation`, `exits` (leaving, returning a
dossier) and `verification`; `common` holds the fields and the `StepForm` base they share. The date
picker and `show_refusal` (a service's refusal onto a form) are partyhub.forms', shared with reports.
"""

from .ceremony import CeremonyForm
from .common import StepForm
from .corrections import DetailsForm, StepCorrectionForm, UndoForm
from .decision import DecisionForm
from .dossier import DossierForm
from .exits import ExitForm, ReturnForm
from .probation import RecognitionForm
from .proposal import ProposeForm
from .training import ClassEnrolForm, ClassForm, EnrolForm, ResultsForm
from .verification import VerificationForm, VerificationReplyForm
from .votes import CellVoteForm, CommitteeApprovalForm

# The forms of one candidate's steps, by the step's name in the URL (`quan-chung/<pk>/buoc/<step>/`).
STEP_FORMS: dict[str, type[StepForm]] = {
    form.step: form
    for form in (
        EnrolForm,
        DossierForm,
        CellVoteForm,
        CommitteeApprovalForm,
        DecisionForm,
        CeremonyForm,
        RecognitionForm,
    )
}

__all__ = [
    "STEP_FORMS",
    "CellVoteForm",
    "CeremonyForm",
    "ClassEnrolForm",
    "ClassForm",
    "CommitteeApprovalForm",
    "DecisionForm",
    "DetailsForm",
    "DossierForm",
    "EnrolForm",
    "ExitForm",
    "ProposeForm",
    "RecognitionForm",
    "ResultsForm",
    "ReturnForm",
    "StepCorrectionForm",
    "StepForm",
    "UndoForm",
    "VerificationForm",
    "VerificationReplyForm",
]
