"""Admin for reviewing new signups."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ("username", "email", "date_joined", "is_active")
    search_fields = ("username", "email", "profile__real_name")
    ordering = ("-date_joined",)
