"""Corrections to the `vietnam-provinces` dataset, each one a checked fact.

The gazetteer reads everything else from the dataset. What is here comes from
comparing it with the official lists (as carried by the independent
`vietnamadminunits` dataset) place by place; docs/dia-gioi.md explains every
entry, and tests/unit/test_gazetteer_oracle.py fails when one is missing or stale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Supplement:
    """A pre-2025 commune the dataset's pre-2025 list lacks, though its conversion
    table knows its code: units created in the 2024–2025 rearrangements."""

    code: int
    name: str
    division: str
    district_code: int


# Legacy commune code → its name, where the dataset misspells it (the official list
# and the unit's own documents agree on this spelling).
NAME_CORRECTIONS: dict[int, str] = {
    31231: "Thị trấn Thạnh An",  # Huyện Vĩnh Thạnh, Cần Thơ; the dataset writes "Thanh An"
}

# Legacy commune code → other official spellings of that same commune (same code).
# Matched like a spelling variant: accepted with a warning that shows the dataset's
# spelling.
COMMUNE_ALIASES: dict[int, tuple[str, ...]] = {
    # Transliterations of minority-language names that the two lists write differently
    # (s/x, ch/tr, d/r, b/p, c/k, doubled vowels): the official list's spelling, then
    # the dataset's as a comment.
    736: ("Sà Phìn",),  # Xã Xà Phìn, Huyện Đồng Văn
    829: ("Sủng Cháng",),  # Xã Sủng Tráng, Huyện Yên Minh
    1060: ("Sán Sả Hồ",),  # Xã Sán Xả Hồ, Huyện Hoàng Su Phì
    2836: ("Nàn Sín",),  # Xã Nàn Xín, Huyện Si Ma Cai
    3073: ("Nậm Dạng",),  # Xã Nậm Rạng, Huyện Văn Bàn
    3177: ("Huổi Lếch",),  # Xã Huổi Lếnh, Huyện Mường Nhé
    3178: ("Sá Tổng",),  # Xã Xá Tổng, Huyện Mường Chà
    3223: ("Sín Chải",),  # Xã Xín Chải, Huyện Tủa Chùa
    3244: ("Xá Nhè",),  # Xã Sáng Nhè, Huyện Tủa Chùa
    3391: ("Lản Nhì Thàng",),  # Xã Lả Nhì Thàng, Huyện Phong Thổ
    3460: ("Hua Bum",),  # Xã Hua Bun, Huyện Nậm Nhùn
    3565: ("Tung Qua Lìn",),  # Xã Tông Qua Lìn, Huyện Phong Thổ
    3754: ("Nong Lay",),  # Xã Noong Lay, Huyện Thuận Châu
    4136: ("Nà Bó",),  # Xã Nà Pó, Huyện Mai Sơn
    4174: ("Pú Bẩu",),  # Xã Pú Pẩu, Huyện Sông Mã
    4486: ("Dế Xu Phình",),  # Xã Dế Su Phình, Huyện Mù Căng Chải
    4618: ("Hát Lừu",),  # Xã Hát Lìu, Huyện Trạm Tấu
    5245: ("Xăm Khòe",),  # Xã Săm Khóe, Huyện Mai Châu
    7540: ("Sa Lý",),  # Xã Xa Lý, Huyện Lục Ngạn
    12664: ("Kim Trung",),  # Xã Kim Chung, Huyện Hưng Hà
    20458: ("Bha Lêê",),  # Xã Bha Lê, Huyện Tây Giang
    20494: ("Mà Cooih",),  # Xã Mà Cooi, Huyện Đông Giang
    20701: ("Zuôih",),  # Xã Zuôich, Huyện Nam Giang
    20710: ("Tà Bhing",),  # Xã Tà Bhinh, Huyện Nam Giang
    22237: ("Ea Ly",),  # Xã Ealy, Huyện Sông Hinh
    23395: ("Pờ Y",),  # Xã Bờ Y, Huyện Ngọc Hồi
    23404: ("Ngọk Lây",),  # Xã Ngọc Lây, Huyện Tu Mơ Rông
    23413: ("Ngọk Yêu",),  # Xã Ngọc Yêu, Huyện Tu Mơ Rông
    23458: ("Măng Bút",),  # Xã Măng Buk, Huyện Kon Plông
    23464: ("Ngọc Tem",),  # Xã Ngok Tem, Huyện Kon Plông
    23644: ("Đăk Rong",),  # Xã Đăk Roong, Huyện KBang
    24031: ("Ia Mrơn",),  # Xã Ia Ma Rơn, Huyện Ia Pa
    24274: ("Ea H'đing",),  # Xã Ea H'đinh, Huyện Cư M'gar
    24409: ("Cư Yang",),  # Xã Cư Jang, Huyện Ea Kar
    24727: ("Đắk N'Drung",),  # Xã Đắk N'Dung, Huyện Đắk Song
}

# Created by the 2025 rearrangements that came into force before 1 July 2025 (the
# Thị xã Mộc Châu, wards of Ho Chi Minh City): the namesakes the dataset keeps were
# merged into these, so a name like "Phường 14, Quận Bình Thạnh" means them.
SUPPLEMENTS: tuple[Supplement, ...] = (
    Supplement(3980, "Phường Mộc Lỵ", "phường", 123),  # Thị xã Mộc Châu, Sơn La
    Supplement(3983, "Phường Bình Minh", "phường", 123),
    Supplement(3984, "Phường Cờ Đỏ", "phường", 123),
    Supplement(26929, "Phường 14", "phường", 765),  # Quận Bình Thạnh
    Supplement(26953, "Phường 19", "phường", 765),
    Supplement(27076, "Phường 15", "phường", 768),  # Quận Phú Nhuận
    Supplement(27226, "Phường 11", "phường", 772),  # Quận 11
    Supplement(27232, "Phường 10", "phường", 772),
    Supplement(27367, "Phường 2", "phường", 775),  # Quận 6
    Supplement(27373, "Phường 1", "phường", 775),
)

# Legacy commune code → the name the official list gives that code after a renaming
# or a merger in force before 1 July 2025. Matched like the dataset's own name.
COMMUNE_RENAMES: dict[int, tuple[str, ...]] = {
    # Renamed when Thị xã Mộc Châu was created (in force 1 January 2025).
    3979: ("Mộc Sơn",),  # Thị trấn Mộc Châu, Thị xã Mộc Châu
    3982: ("Thảo Nguyên",),  # Thị trấn NT Mộc Châu, Thị xã Mộc Châu
    3997: ("Tân Yên",),  # Xã Tân Lập, Thị xã Mộc Châu
    4000: ("Đoàn Kết",),  # Xã Nà Mường, Thị xã Mộc Châu
    4015: ("Chiềng Chung",),  # Xã Hua Păng, Thị xã Mộc Châu
    4033: ("Vân Sơn",),  # Xã Phiêng Luông, Thị xã Mộc Châu
    # Names the official list carries for the same code after a merger or renaming.
    3748: ("Phổng Ly",),  # Xã Phổng Lăng, Huyện Thuận Châu
    4075: ("Yên Châu",),  # Xã Viêng Lán, Huyện Yên Châu
    18007: ("Hưng Yên Nam",),  # Xã Hưng Yên, Huyện Hưng Nguyên
}

# Legacy commune code → current communes, where the dataset's conversion table has
# no row for a commune that the official list converts.
SUCCESSOR_FIXES: dict[int, tuple[int, ...]] = {
    1651: (1648,),  # Xã Mỹ Hưng (Quảng Hòa, Cao Bằng) → Xã Phục Hòa
    2482: (2494,),  # Xã Phú Thịnh (Yên Sơn, Tuyên Quang) → Xã Thái Bình
}

# Legacy district code → the slug its page had before a correction brought a namesake
# into its current province: URLs are stable (DESIGN §4), so it keeps it, and only the
# newcomer carries its code. Huyện Châu Thành of Đồng Tháp met Huyện Châu Thành of
# Tiền Giang (chau-thanh-821) when Tiền Giang was filed under Đồng Tháp.
STABLE_DISTRICT_SLUGS: dict[int, str] = {877: "chau-thanh"}
