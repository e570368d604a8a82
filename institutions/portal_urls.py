"""Provider portal under /portal/ (namespace "portal"); other apps mount their areas beside it."""

from django.urls import path

from . import views, views_users

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("agreement/", views.agreement, name="agreement"),
    path("beds/", views.beds, name="beds"),
    path("beds/<int:pk>/end/", views.bed_end, name="bed_end"),
    path("caregivers/", views.caregivers, name="caregivers"),
    path("caregivers/<int:pk>/", views.caregiver_edit, name="caregiver_edit"),
    path("violations/", views.violations, name="violations"),
    path("appraisals/", views.appraisals, name="appraisals"),
    path("users/", views_users.users, name="users"),
    path("users/<int:pk>/role/", views_users.user_role, name="user_role"),
    path("users/<int:pk>/deactivate/", views_users.user_deactivate, name="user_deactivate"),
    path("tokens/", views_users.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_users.token_revoke_view, name="token_revoke"),
]
