package io.beamml.transforms.parse;

import io.beamml.schemas.Order;

/**
 * The sales dumps: CSV {@code order_id,customer_id,product_id,quantity,amount,currency,order_time}
 * with {@code order_time} in ISO-8601 with offset. Any failure after {@code order_time} was read
 * carries it as the event time.
 */
public final class OrderCsvParser extends CsvRecordParser<Order> {

  private static final long serialVersionUID = 1L;

  public OrderCsvParser() {
    super(OrderFields.NAMES);
  }

  @Override
  Order read(RecordFields fields) throws ParseFailure {
    return OrderFields.read(fields);
  }
}
