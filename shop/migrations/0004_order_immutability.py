"""Make order history immutable in PostgreSQL itself, not only in the models.

- shop_orderline: no UPDATE, no DELETE, ever.
- shop_order: no DELETE; an UPDATE may change only status, customer_id (set to NULL when a
  customer account is deleted), paid_at, closed_at and updated. Every other column (the
  money, the address, the coupon code, the tokens) is frozen once written.
- shop_order.status may only move along the allowed transitions.

TRUNCATE (used by test teardown) is not affected. On SQLite (the zero-service demo) the model
layer enforces the same rules; the triggers are PostgreSQL-only.
"""

from django.db import migrations

FROZEN_ORDER_COLUMNS = [
    "number", "token", "checkout_token", "email", "full_name", "address_line1",
    "address_line2", "city", "postcode", "country", "shipping_method", "payment_method",
    "currency", "subtotal", "discount_total", "shipping_total", "tax_total", "total",
    "coupon_code", "coupon_id", "created",
]

CREATE = f"""
CREATE OR REPLACE FUNCTION shop_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'order history is immutable: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER shop_orderline_immutable
    BEFORE UPDATE OR DELETE ON shop_orderline
    FOR EACH ROW EXECUTE FUNCTION shop_refuse_change();

CREATE TRIGGER shop_order_no_delete
    BEFORE DELETE ON shop_order
    FOR EACH ROW EXECUTE FUNCTION shop_refuse_change();

CREATE OR REPLACE FUNCTION shop_order_guard_update() RETURNS trigger AS $$
BEGIN
    IF {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_ORDER_COLUMNS)} THEN
        RAISE EXCEPTION 'order % is immutable: only its status may change', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
        (OLD.status = 'placed' AND NEW.status IN ('paid', 'failed', 'cancelled'))
        OR (OLD.status = 'paid' AND NEW.status IN ('fulfilled', 'cancelled'))
    ) THEN
        RAISE EXCEPTION 'order %: status % cannot become %', OLD.number, OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER shop_order_guard_update
    BEFORE UPDATE ON shop_order
    FOR EACH ROW EXECUTE FUNCTION shop_order_guard_update();
"""

DROP = """
DROP TRIGGER IF EXISTS shop_order_guard_update ON shop_order;
DROP TRIGGER IF EXISTS shop_order_no_delete ON shop_order;
DROP TRIGGER IF EXISTS shop_orderline_immutable ON shop_orderline;
DROP FUNCTION IF EXISTS shop_order_guard_update();
DROP FUNCTION IF EXISTS shop_refuse_change();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A plain cursor with no parameters, so the % of RAISE formats is not a placeholder.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_cart_coupons_orders")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
