"""What the shop keeps in a visitor's session: one name each, for every layer to share.

The session holds tokens and flags, never contents: the cart and wishlist live in the database
and the session only remembers which rows are this visitor's.
"""

CART = "cart_token"  # the open cart's token (shop.services.cart)
WISHLIST = "wishlist_token"  # an anonymous wishlist's token (shop.services.wishlist)
ORDERS = "orders"  # tokens of orders this browser placed, so guests can see them
HOMEPAGE_EDITOR = "homepage_editor"  # set at login: the user may edit the homepage (its button)
HOMEPAGE_EDITING = "homepage_editing"  # an editor has the homepage's edit mode on
HOMEPAGE_SHARE_LINK = "homepage_share_link"  # the draft preview link the editor last made
TIME_TRAVEL = "time_travel"  # a staff member sees the store at another moment: {"at", "release"}
STORE_PREVIEW = "store_preview"  # a release preview link's signed token, opened in this browser
RELEASE_LINKS = "release_preview_links"  # preview links made in the releases admin, by release
