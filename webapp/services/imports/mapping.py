"""Column mapping: which lead field each column of a file fills, guessed from its header.

Each column maps to a lead field, to IGNORE, or to RAW (kept in the lead's raw_data
under the column's header). Rows are matched to existing leads by email, else LinkedIn
URL, else phone, so a mapping must name at least one of them.
"""

from __future__ import annotations

import re

from webapp.services.errors import ValidationFailed

IGNORE = "ignore"
RAW = "raw"
# The lead fields a file may fill, in the order the mapping's choices list them.
TARGET_FIELDS: dict[str, str] = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "phone": "Phone",
    "linkedin_url": "LinkedIn URL",
    "company_name": "Company",
    "company_domain": "Company domain",
    "website": "Website",
    "job_title": "Job title",
    "city": "City",
    "state": "State / region",
    "country": "Country",
    "headquarters": "Headquarters",
    "industry": "Industry",
    "employee_count": "Employees",
    "revenue": "Revenue",
    "lead_score": "Lead score",
    "status": "Status",
    "priority": "Priority",
    "notes": "Notes",
    "source_id": "External id",
}
MATCH_FIELDS = ("email", "linkedin_url", "phone")
CHOICES = {**TARGET_FIELDS, RAW: "Keep in raw data", IGNORE: "Ignore"}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "mail", "workemail", "businessemail", "emailid",
              "personalemail", "contactemail", "primaryemail"),
    "first_name": ("firstname", "first", "givenname", "fname", "forename"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname"),
    "full_name": ("name", "fullname", "contactname", "contact", "person", "personname"),
    "phone": ("phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell",
              "cellphone", "workphone", "directphone", "phoneno", "mobilenumber"),
    "linkedin_url": ("linkedin", "linkedinurl", "linkedinprofile", "linkedinprofileurl",
                     "personlinkedinurl", "linkedinlink"),
    "company_name": ("company", "companyname", "organization", "organisation", "account",
                     "accountname", "employer", "business", "businessname", "org"),
    "company_domain": ("domain", "companydomain", "emaildomain", "companywebsitedomain"),
    "website": ("website", "web", "url", "site", "homepage", "companywebsite", "websiteurl",
                "companyurl"),
    "job_title": ("title", "jobtitle", "position", "role", "designation", "jobrole"),
    "city": ("city", "town"),
    "state": ("state", "province", "region", "county"),
    "country": ("country", "countryname", "nation"),
    "headquarters": ("headquarters", "hq", "headoffice"),
    "industry": ("industry", "sector", "vertical"),
    "employee_count": ("employees", "employeecount", "numberofemployees", "companysize",
                       "headcount", "staff", "noofemployees"),
    "revenue": ("revenue", "annualrevenue", "turnover", "sales"),
    "lead_score": ("score", "leadscore"),
    "status": ("status", "leadstatus"),
    "priority": ("priority",),
    "notes": ("notes", "note", "comments", "comment", "remarks", "description"),
    "source_id": ("externalid", "sourceid", "recordid", "crmid"),
}  # fmt: skip
_BY_NAME = {name: field for field, names in SYNONYMS.items() for name in names}


def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").lower())


def guess_field(header: str) -> str:
    """The lead field a header names ("E-mail", "Company Name"…), else RAW."""
    return _BY_NAME.get(header_key(header), RAW)


def guess_mapping(headers: list[str]) -> list[str]:
    """One choice per column; a field two columns name goes to the first of them."""
    mapping, taken = [], set()
    for header in headers:
        field = guess_field(header)
        if field in TARGET_FIELDS and field in taken:
            field = RAW
        taken.add(field)
        mapping.append(field)
    return mapping


def check_mapping(mapping, headers: list[str]) -> list[str]:
    """The mapping as a list per column, refused by field when it cannot be used.

    Accepts a list (one choice per column) or a dict of header -> choice (columns it
    leaves out keep their guess).
    """
    if isinstance(mapping, dict):
        unknown = [h for h in mapping if h not in headers]
        if unknown:
            raise ValidationFailed({"mapping": f"names columns the file does not have: {unknown}"})
        guessed = guess_mapping(headers)
        mapping = [mapping.get(h, guessed[i]) for i, h in enumerate(headers)]
    if not isinstance(mapping, list) or len(mapping) != len(headers):
        raise ValidationFailed(
            {"mapping": f"must give one choice for each of the {len(headers)} columns"}
        )
    seen = set()
    for i, choice in enumerate(mapping):
        if not isinstance(choice, str) or choice not in CHOICES:
            raise ValidationFailed(
                {"mapping": f"column {headers[i]!r}: choose a lead field, 'raw' or 'ignore'"}
            )
        if choice in TARGET_FIELDS:
            if choice in seen:
                raise ValidationFailed(
                    {"mapping": f"{TARGET_FIELDS[choice]} is chosen for more than one column"}
                )
            seen.add(choice)
    if not seen & set(MATCH_FIELDS):
        raise ValidationFailed(
            {
                "mapping": "map a column to email, LinkedIn URL or phone: rows are matched "
                "to existing leads by them"
            }
        )
    return list(mapping)
