import { Migration } from '@mikro-orm/migrations';

/**
 * Order lines without a line item id were keyed by their position within their order in the file (`#2`), which
 * changes when a spreadsheet sorts the rows or an order is exported across two files. They are now keyed by what
 * they sell (`#v:<variant id>`, else `#s:<sku>`, else `#t:<title>`; `#<k>#` before it from the second line of an
 * order selling the same); a line that names nothing keeps its position. Stored lines are rekeyed the same way, in
 * file order, so that uploading their file again updates them instead of adding them twice. The new keys collide
 * neither with the old (digits alone after the `#`) nor with one another (a repeat's key starts with its count).
 */
export class Migration20261130140000_line_keys_by_item extends Migration {

  override async up(): Promise<void> {
    this.addSql(`update "order_lines" o set "line_key" = k."new_key"
      from (
        select "run_id", "order_id", "line_key",
               case when row_number() over w > 1 then '#' || row_number() over w else '' end || '#' || "item" as "new_key"
          from (
            select "run_id", "order_id", "line_key", "line",
                   case when "variant_id" is not null then 'v:' || "variant_id"
                        when "sku" is not null then 's:' || "sku"
                        when "title" is not null then 't:' || left("title", 200) end as "item"
              from "order_lines" where "line_key" ~ '^#[0-9]+$'
          ) l
         where "item" is not null
        window w as (partition by "run_id", "order_id", "item" order by "line")
      ) k
      where o."run_id" = k."run_id" and o."order_id" = k."order_id" and o."line_key" = k."line_key";`);
  }

  override async down(): Promise<void> {
    // Back to positions, through a key no line has, so that no two lines hold one key in between.
    this.addSql(`update "order_lines" set "line_key" = '#~' || "line_key" where "line_key" like '#%';`);
    this.addSql(`update "order_lines" o set "line_key" = '#' || k."position"
      from (
        select "run_id", "order_id", "line_key", row_number() over (partition by "run_id", "order_id" order by "line") as "position"
          from "order_lines" where "line_key" like '#~%'
      ) k
      where o."run_id" = k."run_id" and o."order_id" = k."order_id" and o."line_key" = k."line_key";`);
  }

}
