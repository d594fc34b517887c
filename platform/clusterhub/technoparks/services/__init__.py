"""Operations of technoparks, by sub-domain; callers import the sub-module they need:

- ``technoparks``: the technopark's card and its residents; ``zones``, ``equipment`` (with key
  specifications) and ``offers`` (priced services with their VAT and equipment): the catalogue;
- ``values``: cleaning of amounts, areas, choices and texts shared by the catalogue's operations;
- ``requests``: the workflow of service requests, with their history and notifications;
- ``booking``: time bookings and maintenance blocks of equipment that never overlap;
- ``attachments``: photos of technoparks and files attached to requests;
- ``search``: the platform-wide, read-only search of every center's published services and equipment;
- ``stats``: per-service and per-equipment figures for the staff page and the reporting layer;
- ``imports``: import and export of services and equipment as CSV or XLSX.

Services validate and flush; the request commits.
"""
