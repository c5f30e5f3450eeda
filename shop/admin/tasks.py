"""The task queue's results (django-tasks-db), with "Run again" for a task that failed for good."""

from django.contrib import admin, messages
from django.tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

# The task queue (django-tasks-db): its results as that package shows them, read-only, plus a
# way to run a task that failed for good (after its retries) once more.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["run_again"]

    @admin.action(description="Run the selected failed tasks again")
    def run_again(self, request, queryset) -> None:
        """Enqueue each failed task anew with its arguments, its retries counted from one."""
        failed = queryset.filter(status=TaskResultStatus.FAILED)
        for result in failed:
            kwargs = {k: v for k, v in result.args_kwargs["kwargs"].items() if k != "attempt"}
            result.task.enqueue(*result.args_kwargs["args"], **kwargs)
        self.message_user(request, f"{len(failed)} task(s) enqueued again.", messages.SUCCESS)
