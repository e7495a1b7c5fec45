/**
 * fast-check as every property test of the suite uses it: an array or string
 * given a `maxLength` is generated up to that length (fast-check's default
 * size would otherwise stop at about 10 elements, whatever `maxLength` says).
 *
 * @module
 */
import fc from "fast-check";

fc.configureGlobal({ defaultSizeToMaxWhenMaxSpecified: true });

export default fc;
