"""Freshness of the insured person's page as data the database maintains (docs/architecture.md).

Triggers (migration 0001) bump a version whenever a row the page shows is inserted, updated or deleted,
whoever writes it (ORM, set-based jobs, imports, plain SQL): the person's version for rows of a person,
the account's for the login and its agent links, the shared one for rows every page depends on (policy,
settlement runs, institutions, the first contribution year). A cached page is keyed by these versions.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonVersion(models.Model):
    """Bumped by triggers on every change of a row of the person shown on the page (no FK: any writer)."""

    person_id = models.BigIntegerField(_("参保人"), primary_key=True)
    version = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("参保人页面版本")
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.person_id}@{self.version}"


class AccountVersion(models.Model):
    """Bumped by triggers on changes of the account, its agent links and the persons it may view."""

    account_id = models.BigIntegerField(_("账户"), primary_key=True)
    version = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("账户页面版本")
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.account_id}@{self.version}"


class SharedVersion(models.Model):
    """One row (name "shared"): bumped by changes every person's page depends on."""

    name = models.CharField(_("名称"), max_length=20, primary_key=True)
    version = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("公共页面版本")
        verbose_name_plural = verbose_name

    def __str__(self):
        return f"{self.name}@{self.version}"
