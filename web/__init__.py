"""The site shell, at the top of the apps' order (cica <- members <- measures
<- secretariat <- web): the root URLconf, the pages that read several apps
(the delegate's desk, the search) and the header's context processor. Nothing
below imports from here."""
