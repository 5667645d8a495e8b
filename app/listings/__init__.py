"""Listings: each subject's own punishment or reward (one record per subject and decision, read by the
public lists, the pushes to units, the credit check and the exchange API), its process and the pushes.

`init_app` wires it into the case runtime: listings start when a decision is issued; the messages other
processes throw (an objection suspends its subject's listing, a repair ends it) reach the listing's process;
the listing's process names its status and throws the pushes that become the units' confirmation tasks."""
from app.auth.models import CASEWORKER, GROUP_LEAD, OFFICE
from app.cases import hooks
from app.cases.access import names_a_person
from app.engine.runner import register_script_functions
from app.listings import imports, queries, routes, services, tasks, withdrawal


def _list_files_visible(actor, attachments) -> set[int]:
    """A department's list as uploaded prints its persons' identity numbers whole: read by the units' staff who see the
    case (those that apply the measures need them), not by supervisors or the administrator, who read the case page with
    the numbers masked, where the list names a person. Each opening is a whole-number view in the security log."""
    if actor.role in (OFFICE, CASEWORKER, GROUP_LEAD):
        return {a.id for a in attachments}
    return {a.id for a in attachments if not names_a_person(a)}


def _section(actor, case, view) -> dict:
    listings = queries.case_listings(case.id, view.q, view.listings_page)
    # (the listings the reader may end, among those on the page: a long list is filtered to find one)
    endable = withdrawal.candidates(actor, case, listings.items)
    return {"listings": listings, "pushes": queries.case_pushes(case.id, view.q, view.pushes_page),
            "endable": endable, "end_ways": sorted({w for lst in endable for w in withdrawal.ways(lst)}) if endable else [],
            # (a case in effect whose subject's punishment is suspended: its header says so beside 生效中)
            "listings_suspended": queries.suspended_count(case.id) if case.status == "in_effect" else 0}


def init_app(app) -> None:
    hooks.register_tasks(tasks.TASKS)
    hooks.subscribe(hooks.DECISION_RECORDED, services.on_decision)
    hooks.route_message("listing_suspend", services.suspend)
    hooks.route_message("listing_resume", services.resume)
    hooks.route_message("listing_revoke", services.revoke)
    hooks.route_message("listing_repaired", services.repaired)
    hooks.route_message("listing_changed", services.change_measures)
    # (a push reads its listing and units from the session, and the pushes before it, which a push writes at once)
    hooks.route_message("push", services.push, reads_the_save=False)
    hooks.on_process_saved(services.LISTING_PROCESS, services.listing_saved)
    hooks.register_case_section(_section, paged=True)
    hooks.register_list_note(queries.suspended_notes)
    hooks.register_task_rows("listings.confirm_push", queries.push_task_rows)
    hooks.register_identity_document(imports.LIST_FILE)
    hooks.register_attachment_rule(imports.LIST_FILE, _list_files_visible)
    register_script_functions(services.SCRIPT_FUNCTIONS)
    app.register_blueprint(routes.bp)
    app.register_blueprint(routes.staff_bp)
