"""The moderation screens of a commune (mounted under /c/<commune>/, namespace ``workspace``): inbox,
review queue, questions, item screen and its actions, bulk actions, undo, the sending queue, blocks,
and deadlines and on-call settings."""

from django.urls import path

from beffroi.workspace.views import act, blocks, duty, item, lists

urlpatterns = [
    path("boite/", lists.inbox, name="inbox"),
    path("a-revoir/", lists.queue, name="queue"),
    path("questions/", lists.todo, name="todo"),
    path("api/compteurs/", lists.counts, name="counts"),
    path("element/<int:item_id>/", item.item_detail, name="item"),
    path("element/<int:item_id>/etat/", item.item_state, name="item_state"),
    path("element/<int:item_id>/message/", item.item_message, name="item_message"),
    path("element/<int:item_id>/agir/<slug:action>/", act.item_action, name="item_action"),
    path("element/<int:item_id>/bloquer/", blocks.block_request, name="block_request"),
    path("actions-groupees/", act.bulk, name="bulk"),
    path("annuler/", act.undo, name="undo"),
    path("envois/", act.outbox_list, name="outbox"),
    path("envois/<int:entry_id>/reessayer/", act.outbox_retry, name="outbox_retry"),
    path("blocages/", blocks.blocks, name="blocks"),
    path("blocages/<int:request_id>/<slug:decision>/", blocks.block_decide, name="block_decide"),
    path("astreinte/", duty.duty, name="duty"),
    path("astreinte/ajouter/", duty.duty_shift_add, name="duty_shift_add"),
    path("astreinte/<int:shift_id>/retirer/", duty.duty_shift_remove, name="duty_shift_remove"),
]
