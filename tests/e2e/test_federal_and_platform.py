"""The federal analyst reads the dashboard and takes the workbook; the platform admin runs the centers."""

import io
import re

import openpyxl
from playwright.sync_api import expect
from tests.e2e.flows import ANALYST, KOMI, PLATFORM_ADMIN, log_in, menu


def test_analyst_filters_by_district_drills_down_to_a_center_and_downloads_the_workbook(pages):
    page = log_in(pages, ANALYST)
    menu(page, "Федеральные показатели")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Федеральная панель показателей")
    pages.check(screenshot="federal-dashboard")

    page.get_by_label("Федеральный округ", exact=True).select_option(
        label="Северо-Западный федеральный округ"
    )
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_label("Федеральный округ", exact=True)).to_have_value("NWFD")
    expect(page.get_by_role("main")).to_contain_text("Северо-Западный федеральный округ")
    pages.check()

    page.get_by_role("link", name=re.compile(r"Республика Коми: \d")).click()
    expect(page.get_by_label("Регион", exact=True)).to_have_value("11")
    pages.check()
    page.get_by_role("main").get_by_role("link", name=KOMI).first.click()
    expect(page.get_by_role("main")).to_contain_text(KOMI)
    pages.check()

    with page.expect_download() as download:
        page.get_by_role("link", name="Все таблицы, XLSX").click()
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert len(workbook.sheetnames) > 1
    text = {
        str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value is not None
    }
    assert "Проведено сессий" in text
    assert any("Коми" in value for value in text)


def test_platform_admin_creates_a_center_suspends_and_reactivates_it(pages):
    name = "Центр кластерного развития Вологодской области"
    page = log_in(pages, PLATFORM_ADMIN)
    menu(page, "Центры")
    pages.check()
    page.get_by_role("link", name="Новый центр").click()
    page.get_by_label("Адрес (латиницей)", exact=True).fill("vologda")
    page.get_by_label("Название на русском", exact=True).fill(name)
    page.get_by_label("Название на английском", exact=True).fill("Vologda Region Cluster Development Center")
    page.get_by_label("Регион", exact=True).select_option(label="Вологодская область")
    page.get_by_label("Часовой пояс", exact=True).fill("Europe/Moscow")
    page.get_by_label("Электронная почта", exact=True).fill("ckr@vologda.example.com")
    pages.check()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    row = page.get_by_role("row", name=re.compile(name))
    expect(row).to_be_visible()
    pages.check(screenshot="platform-centers")

    row.get_by_role("link", name="Приостановить").click()
    pages.check()
    page.get_by_role("main").get_by_role("button", name="Приостановить").click()
    row = page.get_by_role("row", name=re.compile(name))
    expect(row.get_by_role("link", name=re.compile("Возобновить|Активировать"))).to_be_visible()
    page.get_by_role("link", name="ClusterHub").click()
    expect(page.get_by_role("main").get_by_role("link", name=name)).to_have_count(0)

    menu(page, "Центры")
    page.get_by_role("row", name=re.compile(name)).get_by_role(
        "link", name=re.compile("Возобновить|Активировать")
    ).click()
    page.get_by_role("main").get_by_role("button", name=re.compile("Возобновить|Активировать")).click()
    expect(
        page.get_by_role("row", name=re.compile(name)).get_by_role("link", name="Приостановить")
    ).to_be_visible()
    page.get_by_role("link", name="ClusterHub").click()
    page.get_by_role("main").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    pages.check()


def test_a_refused_center_keeps_the_form_with_the_reason_beside_the_address_and_stores_nothing(pages):
    page = log_in(pages, PLATFORM_ADMIN)
    menu(page, "Центры")
    page.get_by_role("link", name="Новый центр").click()
    page.get_by_label("Адрес (латиницей)", exact=True).fill("komi")  # the demo center's address
    page.get_by_label("Название на русском", exact=True).fill("Второй центр Республики Коми")
    page.get_by_label("Название на английском", exact=True).fill("A second Komi center")
    page.get_by_label("Регион", exact=True).select_option(label="Республика Коми")
    page.get_by_label("Часовой пояс", exact=True).fill("Europe/Moscow")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    address = page.get_by_label("Адрес (латиницей)", exact=True)
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("main")).to_contain_text("Адрес «komi» уже занят другим центром.")
    expect(page.get_by_label("Название на русском", exact=True)).to_have_value("Второй центр Республики Коми")
    pages.check(screenshot=None)
    menu(page, "Центры")
    expect(page.get_by_role("row", name=re.compile("Второй центр Республики Коми"))).to_have_count(0)
