// Value lists of the generated string unions (./generated), for selects and filters. The compiler
// checks them both ways: a member missing from a list, or a value that is not a member, is an
// error, so a list cannot drift from the Rust enum it mirrors.

/** Every member of the string union `T`, once each, in the order given. */
export function allOf<T extends string>() {
  return <const L extends readonly T[]>(...list: L & ([T] extends [L[number]] ? unknown : never)): T[] => [...list];
}
