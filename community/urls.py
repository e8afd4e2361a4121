from django.urls import path

from . import views

urlpatterns = [
    path("challenges/<slug:slug>/discussion/", views.discussion, name="challenge-discussion"),
    path("challenges/<slug:slug>/discussion/<int:topic_id>/", views.topic_detail, name="topic-detail"),
    path("discussion/topics/<int:topic_id>/reply/", views.topic_reply, name="topic-reply"),
    path("discussion/topics/<int:topic_id>/moderate/", views.topic_moderate_page, name="topic-moderate"),
    path("discussion/posts/<int:post_id>/edit/", views.post_edit_page, name="post-edit"),
    path("discussion/posts/<int:post_id>/", views.post_action, name="post-action"),
]

from . import notifications_views  # noqa: E402

urlpatterns += [
    path("notifications/", notifications_views.notification_list, name="notifications"),
    path("notifications/read/", notifications_views.notification_read, name="notifications-read"),
    path("notifications/settings/", notifications_views.notification_settings, name="notification-settings"),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications_views.unsubscribe,
        name="notifications-unsubscribe",
    ),
]
