"""The match score on hand-made cases: code hierarchy, text, place, history, and the order they make."""

from clusterhub.cooperation.offers import matching
from clusterhub.cooperation.offers.matching import Facts, Reason, code_level, score

KOMI, ARKHANGELSK, MOSCOW, TATARSTAN, NOVOSIBIRSK = 11, 29, 77, 16, 54


def test_code_hierarchy_same_code_beats_group_beats_class():
    assert code_level("22.29.21", "22.29.21") == ("code", "22.29.21")
    assert code_level("22.29.21", "22.21.30") == ("group", "22.2")
    assert code_level("22.29.21", "22.29.10") == ("group", "22.29")
    assert code_level("22.2", "22.29.21") == ("group", "22.2")  # a code and its subdivision
    assert code_level("22.29", "22.11") == ("class", "22")
    assert code_level("22.29", "25.62") is None


def test_the_closest_pair_of_codes_counts_and_its_reason_names_the_level():
    request = Facts(okpd2=("22.29.21", "16.10"))
    same = score(request, Facts(okpd2=("16.23", "22.29.21")))
    group = score(request, Facts(okpd2=("22.21.30",)))
    cls = score(request, Facts(okpd2=("22.11",)))
    none = score(request, Facts(okpd2=("25.62",)))
    assert same.reasons == [Reason("okpd2_code", "22.29.21")]
    assert group.reasons == [Reason("okpd2_group", "22.2")]
    assert cls.reasons == [Reason("okpd2_class", "22")]
    assert same.score > group.score > cls.score > none.score == 0


def test_okved_counts_when_okpd2_does_not_and_the_better_system_wins():
    source = Facts(okpd2=("22.29.21",), okved=("25.62",))
    assert score(source, Facts(okved=("25.62",))).reasons == [Reason("okved_code", "25.62")]
    both = score(source, Facts(okpd2=("22.11",), okved=("25.61",)))
    assert both.reasons == [Reason("okved_group", "25.6")]  # group (25) beats class (10)


def test_place_serving_the_region_then_same_region_district_and_neighbour():
    komi = Facts(okpd2=("16.10",), region_id=KOMI, district="NWFD")
    serves = score(
        komi, Facts(okpd2=("16.10",), region_id=MOSCOW, district="CFD", served_region_ids=frozenset({KOMI}))
    )
    same_region = score(komi, Facts(okpd2=("16.10",), region_id=KOMI, district="NWFD"))
    same_district = score(komi, Facts(okpd2=("16.10",), region_id=ARKHANGELSK, district="NWFD"))
    neighbour = score(komi, Facts(okpd2=("16.10",), region_id=TATARSTAN, district="VFD"))
    far = score(komi, Facts(okpd2=("16.10",), region_id=NOVOSIBIRSK, district="SibFD"))
    assert Reason("serves_region") in serves.reasons
    assert Reason("same_region") in same_region.reasons
    assert Reason("same_district", "NWFD") in same_district.reasons
    assert Reason("neighbour_district", "VFD") in neighbour.reasons
    assert serves.score == same_region.score > same_district.score > neighbour.score > far.score
    # a district served by name counts like the region
    by_district = score(
        komi, Facts(okpd2=("16.10",), region_id=NOVOSIBIRSK, served_districts=frozenset({"NWFD"}))
    )
    assert Reason("serves_region") in by_district.reasons


def test_shared_sessions_and_clusters_add_with_a_ceiling():
    a, b = Facts(okpd2=("16.10",)), Facts(okpd2=("16.10",))
    base = score(a, b).score
    three = score(a, b, shared_sessions=3)
    ten = score(a, b, shared_sessions=10)
    assert three.score == base + 15 and ten.score == base + 15  # at most 15 points
    assert Reason("sessions", 3) in three.reasons
    assert score(a, b, shared_clusters=1).score == base + 8


def test_text_relevance_counts_and_is_named_above_a_threshold():
    a = Facts(okved=("16.10",))
    assert score(a, a, text_relevance=1.0).score == score(a, a).score + matching.TEXT_POINTS
    assert Reason("text") in score(a, a, text_relevance=0.5).reasons
    assert Reason("text") not in score(a, a, text_relevance=0.05).reasons
    assert score(a, a, text_relevance=7).score == score(a, a, text_relevance=1).score  # clamped


def test_ranking_of_a_hand_made_market():
    """A Komi request for plastic mouldings: the same code nearby beats the same group far away, which
    beats a text-only match; an unrelated offer does not qualify."""
    request = Facts(okpd2=("22.29.21",), region_id=KOMI, district="NWFD", kind="contract_manufacturing")
    offers = {
        "same code, Arkhangelsk": Facts(okpd2=("22.29.21",), region_id=ARKHANGELSK, district="NWFD"),
        "same group, Novosibirsk": Facts(okpd2=("22.21.30",), region_id=NOVOSIBIRSK, district="SibFD"),
        "text only, Moscow": Facts(okpd2=("28.99",), region_id=MOSCOW, district="CFD"),
        "unrelated, far": Facts(okpd2=("10.11",), region_id=NOVOSIBIRSK, district="SibFD"),
    }
    text = {"text only, Moscow": 0.8}
    ranked = sorted(
        offers, key=lambda name: -score(request, offers[name], text_relevance=text.get(name, 0)).score
    )
    assert ranked[:3] == ["same code, Arkhangelsk", "same group, Novosibirsk", "text only, Moscow"]
    assert score(request, offers["unrelated, far"]).score < matching.MIN_SCORE


def test_stems_for_the_sqlite_fallback_match_russian_word_forms():
    mine = matching.stems("Литьё пластмассовых деталей под давлением")
    theirs = matching.stems("литье пластмассы, детали корпусов")
    assert mine & theirs == {"литье", "пласт", "детал"}  # ё is е; short words and case do not count
    assert matching.stem_relevance(mine, theirs) == 0.75
    assert matching.stem_relevance(mine, frozenset()) == 0
