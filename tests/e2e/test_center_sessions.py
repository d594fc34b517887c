"""Center admin and staff run a session: create it with an agenda and a site visit, publish it, check people
in by ticket (and by name, in the demo session), print badges, export the participants."""

import io
import re

import openpyxl
from playwright.sync_api import expect
from tests.e2e.conftest import PHONE, Pages
from tests.e2e.flows import KOMI_ADMIN, KOMI_STAFF, log_in, menu, register_as_guest

DEMO_SESSION = "Практическая сессия по развитию промышленных кластеров России"
TITLE = "Сессия по лесопромышленному кластеру (проверка)"


def test_admin_creates_and_publishes_a_session_staff_check_people_in_prints_badges_exports(
    pages, another_person, live_server
):
    page = log_in(pages, KOMI_ADMIN)
    menu(page, "Управление сессиями")
    pages.check()
    page.get_by_role("link", name="Новая сессия").click()
    page.get_by_label("Название на русском", exact=True).fill(TITLE)
    page.get_by_label("Название на английском", exact=True).fill("Timber cluster session (check)")
    page.get_by_label("Вид", exact=True).select_option(label="Практическая сессия")
    page.get_by_label("Описание на русском", exact=True).fill(
        "Два дня: пленарное заседание и посещение технопарка."
    )
    page.get_by_label("Регион", exact=True).select_option(label="Республика Коми")
    page.get_by_label("Первый день", exact=True).fill("2027-03-10")
    page.get_by_label("Последний день", exact=True).fill("2027-03-11")
    page.get_by_label("Вместимость", exact=True).fill("50")
    pages.check()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)

    page.get_by_label("Площадка на русском", exact=True).fill("Конгресс-холл")
    page.get_by_label("Адрес на русском", exact=True).fill("ул. Коммунистическая, 8")
    page.get_by_role("button", name="Добавить площадку").click()
    page.get_by_role("link", name="Добавить пункт").click()
    page.get_by_label("Название на русском", exact=True).fill("Пленарное заседание")
    page.get_by_label("Тип", exact=True).select_option(label="Пленарное заседание")
    page.get_by_label("Начало", exact=True).fill("2027-03-10T10:00")
    page.get_by_label("Окончание", exact=True).fill("2027-03-10T12:00")
    page.get_by_label("Площадка", exact=True).select_option(label="Конгресс-холл")
    pages.check()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Пленарное заседание").first).to_be_visible()

    page.get_by_role("link", name="Добавить пункт").click()
    page.get_by_label("Название на русском", exact=True).fill("Посещение технопарка «Алграф»")
    page.get_by_label("Тип", exact=True).select_option(label="Выездное посещение")
    page.get_by_label("Начало", exact=True).fill("2027-03-10T14:00")
    page.get_by_label("Окончание", exact=True).fill("2027-03-10T16:00")
    page.get_by_label("Адрес площадки на русском", exact=True).fill("ул. Гаражная, 3")
    page.get_by_label("Посещаемый технопарк", exact=True).select_option(
        label="Промышленный технопарк «Алграф»"
    )
    page.get_by_label("Ограничение мест", exact=True).fill("2")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Посещение технопарка «Алграф»").first).to_be_visible()

    page.get_by_role("button", name="Опубликовать").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Опубликована")
    pages.check(screenshot="staff-session")

    visitor = another_person()
    ticket = register_as_guest(visitor, live_server, TITLE, "Анна Билетова", "anna.ticket@example.com")

    staff = another_person()
    page = log_in(staff, KOMI_STAFF)
    menu(page, "Управление сессиями")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Регистрация на месте").first.click()
    staff.check(screenshot="check-in")
    # a handheld scanner types the ticket's QR code (its link) into the focused field and presses Enter
    code = page.get_by_label(re.compile("Код|билет", re.I))
    expect(code).to_be_focused()
    code.fill(ticket)
    code.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Анна Билетова")
    staff.check()

    menu(page, "Управление сессиями")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Бейджи").first.click()
    expect(page.get_by_text("Анна Билетова")).to_be_visible()
    staff.check(screenshot="badges")

    page.go_back()  # the print page has no menu: back to the session's staff page
    page.get_by_role("link", name="Участники").first.click()
    expect(page.get_by_role("cell", name=re.compile("Анна Билетова")).first).to_be_visible()
    staff.check(screenshot="participants")
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = {str(c.value) for row in workbook.active.iter_rows() for c in row if c.value is not None}
    assert {"Анна Билетова", "anna.ticket@example.com"} <= cells


def test_staff_check_a_registrant_in_by_name_with_one_click(pages, another_person, live_server):
    visitor = another_person()
    register_as_guest(visitor, live_server, DEMO_SESSION, "Пётр Именной", "petr.byname@example.com")

    page = log_in(pages, KOMI_STAFF)
    menu(page, "Управление сессиями")
    page.get_by_role("link", name=DEMO_SESSION).click()
    page.get_by_role("link", name="Регистрация на месте").first.click()
    page.get_by_label("ФИО или организация", exact=True).fill("Именной")
    page.get_by_role("button", name="Найти", exact=True).click()
    pages.check()
    # the people found are listed, each with a button that checks them in
    page.get_by_role("button", name=re.compile("Отметить")).filter(has_text="Пётр Именной").or_(
        page.get_by_role("listitem").filter(has_text="Пётр Именной").get_by_role("button")
    ).first.click()
    expect(page.get_by_role("alert")).to_contain_text("Пётр Именной")  # the confirmation, like every action's
    pages.check()


def _camera_video_of(text: str, path) -> None:
    """A Y4M video (what Chromium's fake camera plays) showing the QR code of ``text`` in black on white."""
    import segno

    scale, border = 8, 4
    matrix = segno.make(text, error="m").matrix
    size = (len(matrix) + 2 * border) * scale
    size += size % 2
    luma = bytearray([235]) * (size * size)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = ((y + border) * scale + dy) * size + (x + border) * scale
                    luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * ((size // 2) * (size // 2))
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{size} H{size} F5:1 Ip A1:1 C420jpeg\n".encode() + frame * 5)


def test_staff_check_a_registrant_in_with_the_camera(
    another_person, live_server, browser_type, browser_type_launch_args, tmp_path
):
    visitor = another_person()
    ticket = register_as_guest(visitor, live_server, DEMO_SESSION, "Вера Камерова", "vera.camera@example.com")
    video = tmp_path / "ticket.y4m"
    _camera_video_of(ticket, video)

    # a phone's camera pointed at the ticket: Chromium's fake camera plays the QR code
    args = browser_type_launch_args["args"] + [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    try:
        context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE)
        context.grant_permissions(["camera"])
        staff = Pages(context.new_page(), live_server)
        page = log_in(staff, KOMI_STAFF)
        menu(page, "Управление сессиями")
        page.get_by_role("link", name=DEMO_SESSION).click()
        page.get_by_role("link", name="Регистрация на месте").first.click()
        page.get_by_role("button", name="Сканировать камерой").click()
        expect(page.get_by_role("status")).to_contain_text("Вера Камерова", timeout=15_000)
        expect(page.get_by_role("status")).to_contain_text("Отмечен")
        # the camera is on again for the next ticket, and ignores the one it has just read
        expect(page.locator("#scan-status")).to_contain_text("QR-код билета")
        expect(page.locator("video")).to_be_visible()
        staff.check()
        page.get_by_role("button", name="Выключить камеру").click()
        expect(page.locator("video")).to_be_hidden()
        expect(page.get_by_role("status")).not_to_contain_text("уже")
        staff.assert_no_problems()
    finally:
        browser.close()
