"""Display labels for enumerated values; each is a msgid in the message catalog."""

from __future__ import annotations


def N_(message: str) -> str:
    return message


TYPES = {
    "law": N_("Law"),
    "regulation": N_("Regulation"),
    "standard": N_("Standard"),
    "declaration": N_("Declaration"),
    "statement": N_("Statement"),
    "commitment": N_("Commitment"),
    "resolution": N_("Resolution"),
    "action_plan": N_("Action plan"),
    "framework": N_("Framework"),
    "report": N_("Report"),
    "treaty": N_("Treaty"),
    "body": N_("Body"),
    "dialogue": N_("Dialogue"),
    "summit": N_("Summit"),
    "guidelines": N_("Guidelines"),
    "recommendation": N_("Recommendation"),
    "principles": N_("Principles"),
    "initiative": N_("Initiative"),
    "network": N_("Network"),
    "memorandum": N_("Memorandum"),
    "meeting": N_("Meeting"),
    "process": N_("Process"),
    "document": N_("Document"),
    "program": N_("Programme"),
    "strategy": N_("Strategy"),
    "legislation": N_("Legislation"),
    "other": N_("Other"),
    # OECD.AI's own policy types, as that corpus writes them.
    "guideline": N_("Guidelines"),
    "action plan": N_("Action plan"),
    "executive order": N_("Executive order"),
    "agreement": N_("Agreement"),
    "roadmap": N_("Roadmap"),
}
JURISDICTIONS = {"international": N_("International")}
LEGAL_FORCE = {"binding": N_("Binding"), "soft": N_("Soft law"), "none": N_("Not binding")}
ORIGINS = {
    "curated": N_("Common Ground dataset"),
    "agora": N_("AGORA (ETO)"),
    "oecd-ai": N_("OECD.AI policy corpus"),
    "country-codes": N_("ISO 3166 / UN M49"),
    "worldbank": N_("World Bank"),
}
EVENTS = {
    "proposed": N_("Proposed"),
    "adopted": N_("Adopted"),
    "opened_for_signature": N_("Opened for signature"),
    "signed": N_("Signed"),
    "in_force": N_("In force"),
    "applies": N_("Applies"),
    "revoked": N_("Revoked"),
    "superseded": N_("Superseded"),
    "established": N_("Established"),
    "first_meeting": N_("First meeting"),
    "held": N_("Held"),
    "published": N_("Published"),
    "expired": N_("Expired"),
    "withdrawn": N_("Withdrawn"),
    "renamed": N_("Renamed"),
    "endorsed": N_("Endorsed"),
    "enacted": N_("Enacted"),
    "defunct": N_("Defunct"),
}
ACTS = {
    "signed": N_("Signed"),
    "endorsed": N_("Endorsed"),
    "co_sponsored": N_("Co-sponsored"),
    "main_sponsor": N_("Main sponsor"),
    "adopted_by_consensus": N_("Adopted by consensus"),
    "member": N_("Member"),
    "refused": N_("Did not sign"),
    "withdrew": N_("Withdrew"),
    "joined_later": N_("Joined later"),
    "participant": N_("Participant"),
    "voted_yes": N_("Voted yes"),
    "voted_no": N_("Voted no"),
    "abstained": N_("Abstained"),
    "observer": N_("Observer"),
    "co_chair": N_("Co-chair"),
    "issued": N_("Issued"),
    "authority": N_("Authority"),
    "jurisdiction": N_("Jurisdiction"),
}
PREDICATES = {
    "builds_on": N_("Builds on"),
    "implements": N_("Implements"),
    "follows_up": N_("Follows up"),
    "supersedes": N_("Supersedes"),
    "revokes": N_("Revokes"),
    "part_of": N_("Part of"),
    "annex_of": N_("Annex of"),
}
INVERSE_PREDICATES = {
    "builds_on": N_("Built on by"),
    "implements": N_("Implemented by"),
    "follows_up": N_("Followed up by"),
    "supersedes": N_("Superseded by"),
    "revokes": N_("Revoked by"),
    "part_of": N_("Includes"),
    "annex_of": N_("Has annex"),
}
INCOME = {
    "H": N_("High income"),
    "UM": N_("Upper-middle income"),
    "LM": N_("Lower-middle income"),
    "L": N_("Low income"),
}
ACTOR_KINDS = {
    "state": N_("State"),
    "territory": N_("Territory"),
    "economy": N_("Economy"),
    "regional_org": N_("Regional organisation"),
    "intl_org": N_("International organisation"),
    "company": N_("Company"),
    "institute": N_("Institute"),
    "civil_society": N_("Civil society"),
    "individual": N_("Person"),
    "government_body": N_("Government body"),
    "authority": N_("Authority"),
}
COVERAGE = {"complete": N_("complete"), "partial": N_("partial"), "none": N_("not held")}
TEXT_KINDS = {"verbatim": N_("verbatim"), "summary": N_("our summary"), "guidance": N_("guidance")}
RECORD_KINDS = {"instrument": N_("Instrument"), "provision": N_("Provision"), "actor": N_("Actor")}
YES_NO = {"true": N_("Yes"), "false": N_("No")}
