"""Pre-fill the working-day calendar from the chinese-calendar package for the
years it knows (2004 onwards)."""

from django.db import migrations


def forwards(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("org", "CalendarYear")
    WorkCalendar = apps.get_model("org", "WorkCalendar")
    holidays = chinese_calendar.holidays
    workdays = chinese_calendar.workdays
    years = sorted({d.year for d in holidays} | {d.year for d in workdays})
    source = "国务院办公厅关于部分节假日安排的通知（chinese-calendar 数据）"
    rows = []
    for day, name in holidays.items():
        if day.weekday() < 5:
            rows.append(WorkCalendar(date=day, kind="holiday", name=_name(name), source=source))
    for day, name in workdays.items():
        if day.weekday() >= 5:
            rows.append(WorkCalendar(date=day, kind="workday", name=_name(name), source=source))
    WorkCalendar.objects.bulk_create(rows, ignore_conflicts=True)
    for year in years:
        CalendarYear.objects.get_or_create(
            year=year, defaults={"status": "official", "source": source}
        )


NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _name(value):
    text = str(value) if value is not None else ""
    return NAMES.get(text, text)[:40]


def backwards(apps, schema_editor):
    apps.get_model("org", "WorkCalendar").objects.all().delete()
    apps.get_model("org", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
