from django.urls import path

from .views import board, candidate, classes, committee, deadlines, papers

app_name = "recruitment"

urlpatterns = [
    # Pipeline of an organisation (a cell's board, or a committee's whole subtree)
    path("to-chuc/<int:org_pk>/phat-trien-dang/", board.board, name="board"),
    path("to-chuc/<int:org_pk>/phat-trien-dang/them/", candidate.propose, name="propose"),
    # One candidate
    path("quan-chung/<int:pk>/", candidate.detail, name="candidate"),
    path("quan-chung/<int:pk>/buoc/<slug:step>/", candidate.step, name="candidate_step"),
    path("quan-chung/<int:pk>/dung/", candidate.exit, name="candidate_exit"),
    path("quan-chung/<int:pk>/tra-lai/", committee.return_dossier, name="candidate_return"),
    path("quan-chung/<int:pk>/tham-tra/", candidate.verification_add, name="verification_add"),
    path("tham-tra/<int:pk>/tra-loi/", candidate.verification_reply, name="verification_reply"),
    # The official papers of the recorded steps, and the scans of the signed ones
    path("quan-chung/<int:pk>/giay-to/<slug:paper>/pdf/", papers.paper_pdf, name="paper_pdf"),
    path("quan-chung/<int:pk>/giay-to/<slug:paper>/docx/", papers.paper_docx, name="paper_docx"),
    path("quan-chung/<int:pk>/ban-quet/them/", papers.attachment_upload, name="attachment_upload"),
    path("quan-chung/<int:pk>/ban-quet/<int:attachment_pk>/", papers.attachment_download, name="attachment_download"),
    # Party-awareness classes
    path("to-chuc/<int:org_pk>/lop-boi-duong/", classes.class_list, name="classes"),
    path("to-chuc/<int:org_pk>/lop-boi-duong/them/", classes.class_create, name="class_create"),
    path("lop-boi-duong/<int:pk>/", classes.class_detail, name="class"),
    path("lop-boi-duong/<int:pk>/ghi-danh/", classes.class_enrol, name="class_enrol"),
    path("lop-boi-duong/<int:pk>/ket-qua/", classes.class_results, name="class_results"),
    # The committee's queue and the deadlines of a subtree
    path("to-chuc/<int:org_pk>/xet-duyet/", committee.queue, name="committee_queue"),
    path("to-chuc/<int:org_pk>/han/", deadlines.deadlines, name="deadlines"),
]
