"""The in-app inbox: a user reads their own messages, nobody else's."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jinqiu.accounts.scoping import get_visible_or_404
from jinqiu.core.web import paginate

from . import services
from .models import Message


def inbox(request):
    messages = Message.objects.filter(recipient=request.user)
    return render(request, "notifications/inbox.html", {"page": paginate(request, messages),
                                                        "unread": messages.filter(read_at__isnull=True).count()})


@require_POST
def mark_read(request, pk: int):
    message = get_visible_or_404(Message.objects.filter(recipient=request.user), pk=pk)
    services.message_mark_read(actor=request.user, message=message)
    if message.link.startswith("/"):
        return redirect(message.link)
    return redirect("notifications:inbox")
