"""The violation taxonomy: every category a report may carry, with its ACLED and CAMEO equivalents.

``docs/taxonomy.md`` is generated from this table and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    definition: str
    acled_event_type: str
    acled_sub_event_type: str
    cameo: str


TAXONOMY: tuple[Category, ...] = (
    Category("shelling", "Shelling or artillery fire",
             "Indirect fire by artillery, mortars, rockets or missiles launched from the ground.",
             "Explosions/Remote violence", "Shelling/artillery/missile attack", "194"),
    Category("air_strike", "Air strike",
             "Bombs or missiles delivered by manned aircraft or helicopters.",
             "Explosions/Remote violence", "Air/drone strike", "195"),
    Category("drone_strike", "Drone strike",
             "An attack by an armed unmanned aircraft.",
             "Explosions/Remote violence", "Air/drone strike", "195"),
    Category("ground_assault", "Ground assault",
             "An advance or attack by ground forces on positions held by another side.",
             "Battles", "Armed clash", "193"),
    Category("armed_clash", "Armed clash",
             "An exchange of fire between armed sides with neither clearly attacking.",
             "Battles", "Armed clash", "190"),
    Category("sniper_fire", "Sniper fire",
             "Aimed small-arms fire from a concealed position at persons.",
             "Battles", "Armed clash", "193"),
    Category("explosive_device", "Explosive device",
             "An improvised or planted explosive, mine or booby trap, or a car bomb.",
             "Explosions/Remote violence", "Remote explosive/landmine/IED", "183"),
    Category("attack_on_civilians", "Attack on civilians",
             "Direct violence against unarmed civilians, including shooting and executions.",
             "Violence against civilians", "Attack", "180"),
    Category("abduction_detention", "Abduction or detention",
             "Taking or holding persons against their will outside due process.",
             "Violence against civilians", "Abduction/forced disappearance", "181"),
    Category("denial_humanitarian_access", "Denial of humanitarian access",
             "Blocking or obstructing aid convoys, medical evacuation or humanitarian staff.",
             "Strategic developments", "Other", "191"),
    Category("denial_monitor_access", "Denial of access to monitors",
             "Refusing or restricting the movement of the mechanism's monitors.",
             "Strategic developments", "Other", "1245"),
    Category("troop_buildup", "Troop build-up",
             "Moving forces or heavy weapons into a zone or line of contact against the terms.",
             "Strategic developments", "Headquarters or base established", "154"),
    Category("property_destruction", "Destruction of property",
             "Deliberate destruction or looting of homes, crops, infrastructure or property.",
             "Strategic developments", "Looting/property destruction", "1712"),
    Category("other", "Other violation",
             "A breach of the terms that fits none of the categories above; say which in the narrative.",
             "Strategic developments", "Other", "196"),
)

BY_CODE: dict[str, Category] = {c.code: c for c in TAXONOMY}
CODES: tuple[str, ...] = tuple(BY_CODE)
