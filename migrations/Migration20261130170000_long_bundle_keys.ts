import { Migration } from '@mikro-orm/migrations';

/**
 * Derived bundle keys (`KIND:s:A+v:7*2`) longer than 200 UTF-8 bytes are named by their SHA-256 digest (see
 * deriveKey): those stored whole before are given that name, so that saving or generating the same items again finds
 * their bundle instead of adding another.
 */
export class Migration20261130170000_long_bundle_keys extends Migration {

  override async up(): Promise<void> {
    this.addSql(`update "bundles" set "key" = "kind" || ':sha256:' || encode(sha256(convert_to("key", 'UTF8')), 'hex')
      where octet_length("key") > 200 and "key" ~ ('^' || "kind" || ':((buy|get):)?[sv]:');`);
  }

}
