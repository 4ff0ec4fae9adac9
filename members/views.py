from django.http import HttpResponse


def home(request):
    return HttpResponse("")


def tree(request):
    return HttpResponse("")


def tree_children(request, pk):
    return HttpResponse("")


def organisation_detail(request, pk):
    return HttpResponse("")


def member_detail(request, pk):
    return HttpResponse("")

