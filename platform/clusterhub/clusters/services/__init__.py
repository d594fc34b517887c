"""Operations on a center's clusters, by sub-domain (no re-exports: import the sub-module):

- ``clusters``: the cluster card (create, edit, the specialised organisation) and the cluster page's data;
- ``members``: membership, and how memberships show in an enterprise's history and survive its merge;
- ``supply``: supply links between members and the cooperation scheme that draws them;
- ``compliance``: the center's compliance rules and the check of a cluster against them;
- ``documents``: the cluster's stored documents;
- ``imports`` and ``exports``: the members list read from and written to CSV/XLSX.

Every function works inside the current tenant scope (the request's center); rows of other centers are
invisible to it by construction.
"""
