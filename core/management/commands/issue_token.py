"""`manage.py issue_token USERNAME`: replace the user's API token and print the new key."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Print a new API token for USERNAME (a seller's portal user, a staff user or a service "
        "user). Any earlier token of that user stops working."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The login of the user the token is for.")

    def handle(self, *args, username: str, **options) -> None:
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f'No user "{username}". Create the user first, then issue a token.')
        if not user.is_active:
            raise CommandError(f'User "{username}" is inactive; activate it to issue a token.')
        # One token per user: the old key stops working the moment the new one exists.
        with transaction.atomic():
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
        self.stdout.write(token.key)
