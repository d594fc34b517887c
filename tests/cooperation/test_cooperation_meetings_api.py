"""The B2B meetings API: a participant requests, the other accepts and sees the contacts, staff run the
scheduler and place by hand (a clash is a 422 with its field), the participant reads the published schedule."""

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.extensions import db


def _headers(user):
    _token, secret = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_request_accept_schedule_and_read_over_the_api(b2b, client):  # noqa: F811
    s = b2b(participants=4, slots=2, tables=2)
    base = f"/api/v1/tenants/{s.tenant.slug}"
    first, second, staff = _headers(s.users[0]), _headers(s.users[1]), _headers(s.staff)

    blocks = client.get(f"{base}/events/{s.event_id}/meeting-blocks", headers=first).json["items"]
    assert [b["id"] for b in blocks] == [s.block]

    uncited = client.post(
        f"{base}/meeting-blocks/{s.block}/requests",
        json={"recipient_id": s.people[1], "message": "Поставки щепы", "offer_id": 77},
        headers=first,
    )
    assert uncited.status_code == 422 and uncited.json["error"]["field"] == "offer_id"  # no such entry
    created = client.post(
        f"{base}/meeting-blocks/{s.block}/requests",
        json={"recipient_id": s.people[1], "message": "Поставки щепы"},
        headers=first,
    )
    assert created.status_code == 201 and created.json["recipient"]["email"] is None
    again = client.post(
        f"{base}/meeting-blocks/{s.block}/requests", json={"recipient_id": s.people[1]}, headers=first
    )
    assert again.status_code == 422 and again.json["error"]["field"] == "recipient_id"

    mid = created.json["id"]
    assert (
        client.post(
            f"{base}/meeting-blocks/{s.block}/requests/{mid}/answer", json={"accept": True}, headers=first
        ).status_code
        == 422
    )
    accepted = client.post(
        f"{base}/meeting-blocks/{s.block}/requests/{mid}/answer", json={"accept": True}, headers=second
    )
    assert accepted.status_code == 200 and accepted.json["requester"]["email"] == s.users[0].email

    assert (
        client.post(f"{base}/meeting-blocks/{s.block}/schedule/run", json={}, headers=first).status_code
        == 403
    )
    run = client.post(f"{base}/meeting-blocks/{s.block}/schedule/run", json={}, headers=staff)
    assert run.json["placed"] == 1
    grid = client.get(f"{base}/meeting-blocks/{s.block}/schedule", headers=staff).json["items"]
    assert len(grid) == 1 and grid[0]["offer_id"] is None
    # the participant sees no place until the schedule is published
    assert client.get(f"{base}/meeting-blocks/{s.block}/schedule", headers=first).json["items"] == []
    moved = client.post(
        f"{base}/meeting-blocks/{s.block}/requests/{mid}/place", json={"slot": 1, "table": 5}, headers=staff
    )
    assert moved.status_code == 422 and moved.json["error"]["field"] == "table"
    moved = client.post(
        f"{base}/meeting-blocks/{s.block}/requests/{mid}/place", json={"slot": 1, "table": 1}, headers=staff
    )
    assert moved.status_code == 200 and (moved.json["slot"], moved.json["table"]) == (1, 1)


def test_a_stranger_gets_403_and_another_center_404(b2b, client, make_user, make_tenant):  # noqa: F811
    s = b2b(participants=2)
    stranger = _headers(make_user(email="stranger@example.com"))
    base = f"/api/v1/tenants/{s.tenant.slug}"
    assert client.get(f"{base}/meeting-blocks/{s.block}/requests", headers=stranger).status_code == 403
    other = make_tenant("tatarstan", region="16")
    assert (
        client.get(
            f"/api/v1/tenants/{other.slug}/meeting-blocks/{s.block}/schedule", headers=stranger
        ).status_code
        == 404
    )


def test_a_participant_sets_own_limits_and_staff_read_and_set_anyones(b2b, client):  # noqa: F811
    s = b2b(participants=3, slots=4, tables=2, max_meetings=3)
    base = f"/api/v1/tenants/{s.tenant.slug}/meeting-blocks/{s.block}"
    first, staff = _headers(s.users[0]), _headers(s.staff)

    empty = client.get(f"{base}/limits", headers=first).json
    assert empty == {
        "registration_id": s.people[0],
        "max_meetings": None,
        "block_max_meetings": 3,
        "unavailable_slots": [],
    }
    above = client.put(f"{base}/limits", json={"max_meetings": 4}, headers=first)
    assert above.status_code == 422 and above.json["error"]["field"] == "max_meetings"
    outside = client.put(f"{base}/limits", json={"unavailable_slots": [9]}, headers=first)
    assert outside.status_code == 422 and outside.json["error"]["field"] == "unavailable"
    saved = client.put(f"{base}/limits", json={"max_meetings": 2, "unavailable_slots": [3, 1]}, headers=first)
    assert saved.status_code == 200 and (saved.json["max_meetings"], saved.json["unavailable_slots"]) == (
        2,
        [1, 3],
    )

    other = f"{base}/participants/{s.people[1]}/limits"
    assert client.get(other, headers=first).status_code == 403  # a participant sees only their own
    assert client.get(f"{base}/participants/{s.people[0]}/limits", headers=staff).json[
        "unavailable_slots"
    ] == [1, 3]
    set_by_staff = client.put(other, json={"unavailable_slots": [0]}, headers=staff)
    assert set_by_staff.status_code == 200 and set_by_staff.json["unavailable_slots"] == [0]
    assert client.get(f"{base}/participants/999999/limits", headers=staff).status_code == 404
