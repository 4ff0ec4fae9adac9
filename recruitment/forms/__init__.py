"""The admission pipeline's forms (being split by step; see the next commit)."""

from .dossier import STEP_FORMS, ExitForm, ProposeForm, VerificationForm, VerificationReplyForm, add_refusal

__all__ = ["STEP_FORMS", "ExitForm", "ProposeForm", "VerificationForm", "VerificationReplyForm", "add_refusal"]
