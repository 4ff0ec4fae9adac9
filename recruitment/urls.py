from django.urls import path

from .views import board, candidate, classes, committee, corrections, deadlines, notifications, papers, todo

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
    # Corrections, each with a reason (the details, a recorded step, undoing the latest step)
    path("quan-chung/<int:pk>/sua/", corrections.details, name="candidate_edit"),
    path("quan-chung/<int:pk>/sua/<slug:step>/", corrections.correct_step, name="candidate_correct"),
    path("quan-chung/<int:pk>/hoan-tac/", corrections.undo, name="candidate_undo"),
    path("tham-tra/<int:pk>/sua/", corrections.correct_verification, name="verification_correct"),
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
    # The user's own start page and notifications
    path("viec-can-lam/", todo.todo_page, name="todo"),
    path("thong-bao/", notifications.notification_list, name="notifications"),
    path("thong-bao/chua-doc/", notifications.notification_unread, name="notifications_unread"),
    path("thong-bao/da-doc/", notifications.notification_read_all, name="notifications_read_all"),
    path("thong-bao/tuy-chon/", notifications.notification_preferences, name="notification_preferences"),
    path("thong-bao/<int:pk>/", notifications.notification_open, name="notification_open"),
]
