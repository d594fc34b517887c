"""Operations on enterprise profiles, by sub-domain (no re-exports: import the sub-module):

- ``identifiers``: ИНН, ОГРН/ОГРНИП, КПП, ОКВЭД 2 and ОКПД2 checked, and the region read from an ИНН;
- ``profiles``: finding a profile by ИНН or creating it, profile edits, yearly figures and the logo;
- ``products``: the products an enterprise lists;
- ``representatives``: claims, their confirmation and the representatives' roles;
- ``search``: the directory's search;
- ``merging``: merging a duplicate profile into the one kept;
- ``history``: the edit history and the cross-tenant history shown on a profile.
"""
