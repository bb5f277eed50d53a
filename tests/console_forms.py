"""The console's forms filled in a real browser (Swedish), as the browser tests' people fill them."""


async def fill_initiative_without_its_swedish_title(page, english_title: str, summary: str) -> None:
    """The submit form's required fields, all but the Swedish title (the registry then names it)."""
    await page.get_by_label("Titel (engelska, valfri)").fill(english_title)
    await page.get_by_label("Sammanfattning (svenska)").fill(summary)
    await page.get_by_role("group", name="Arrangörstyp").get_by_label("Civilsamhälle").check()
    await page.get_by_label("Arrangörens namn").fill("Föreningen Ljus")
    await page.locator('#f-themes input[type="checkbox"]').first.check()
    await page.get_by_role("group", name="Ursprung").get_by_label("Nytt").check()


async def add_venue(page, name: str, seats: int, windows: list[str]) -> None:
    """On the venues page: a venue in Rosengård with a hearing loop, open in ``windows``
    (``"2026-12-10 08:00 20:00"``, Malmö time), saved."""
    await page.get_by_label("Namn", exact=True).fill(name)
    await page.get_by_label("Adress").fill("Lönngatan 30")
    await page.get_by_label("Stadsområde").select_option("rosengard")
    await page.get_by_label("Antal platser").fill(str(seats))
    await page.get_by_label("Hörslinga").check()
    await page.get_by_label("Tillgänglig", exact=True).fill("\n".join(windows))
    await page.get_by_role("button", name="Spara").click()
    await page.wait_for_url("**/plan/venues/*?done=added")
