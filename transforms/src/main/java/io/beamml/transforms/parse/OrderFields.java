package io.beamml.transforms.parse;

import io.beamml.schemas.Order;
import java.util.List;

/**
 * Reads an {@link Order} from its named fields: one definition for the sales CSV and the orders
 * topic, so the two can never disagree.
 */
final class OrderFields {

  static final List<String> NAMES =
      List.of(
          "order_id", "customer_id", "product_id", "quantity", "amount", "currency", "order_time");

  private OrderFields() {}

  static Order read(RecordFields fields) throws ParseFailure {
    long orderTime = FieldValues.instantMillis("order_time", fields.string("order_time"));
    try {
      return Order.newBuilder()
          .setOrderId(FieldValues.required("order_id", fields.string("order_id")))
          .setCustomerId(FieldValues.required("customer_id", fields.string("customer_id")))
          .setProductId(FieldValues.required("product_id", fields.string("product_id")))
          .setQuantity(FieldValues.integer("quantity", fields.integer("quantity")))
          .setAmount(FieldValues.decimal("amount", fields.number("amount")))
          .setCurrency(FieldValues.required("currency", fields.string("currency")))
          .setOrderTime(orderTime)
          .build();
    } catch (ParseFailure e) {
      throw e.withEventTime(orderTime);
    }
  }
}
