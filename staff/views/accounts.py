"""Staff logins and the audit log: for admins only."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from core.accounts.services import AccountError
from core.staffing.accounts import add_staff, list_staff, recent_audit, reset_password, set_role
from staff.auth import admin_required, username
from staff.console import bp, community, core, text
from staff.forms import PasswordForm, StaffUserForm


@bp.route("/accounts", methods=["GET", "POST"])
@admin_required
def accounts() -> Any:
    form = StaffUserForm()
    problem = None
    if request.method == "POST":
        try:
            added = add_staff(
                core(),
                username=form.username.data or "",
                password=form.password.data or "",
                role=form.role.data or "staff",
                phone=(form.phone.data or "").strip() or None,
                by=username(),
            )
        except AccountError as exc:
            problem = text(str(exc))
        else:
            flash(text("staff.account.added", username=added.username))
            return redirect(url_for("staff.accounts"))
    return render_template(
        "staff/accounts.html",
        form=form,
        problem=problem,
        users=list_staff(core()),
        password_form=PasswordForm(),
    ), (422 if problem else 200)


@bp.post("/accounts/<int:user_id>/role")
@admin_required
def account_role(user_id: int) -> Any:
    try:
        changed = set_role(
            core(), user_id=user_id, role=request.form.get("role", ""), by=username()
        )
    except AccountError as exc:
        flash(text(str(exc)))
    else:
        flash(
            text(
                "staff.account.role_changed",
                username=changed.username,
                role=text(f"staff.role.{changed.role}"),
            )
        )
    return redirect(url_for("staff.accounts"))


@bp.post("/accounts/<int:user_id>/password")
@admin_required
def account_password(user_id: int) -> Any:
    form = PasswordForm()
    try:
        changed = reset_password(
            core(), user_id=user_id, password=form.password.data or "", by=username()
        )
    except AccountError as exc:
        flash(text(str(exc)))
    else:
        flash(text("staff.account.password_set", username=changed.username))
    return redirect(url_for("staff.accounts"))


@bp.get("/audit")
@admin_required
def audit_log() -> Any:
    return render_template(
        "staff/audit.html", entries=recent_audit(core(), community_id=community().id)
    )
