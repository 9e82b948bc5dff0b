// Targets of the children in test/cpython/value_array.test.ts (CPython's _TestValue,
// _TestArray and _TestSharedCTypes).

// _TestValue._test
export function setValues(values, newValues) {
  values.forEach((v, i) => { v.value = newValues[i]; });
}

// _TestArray.f: running sums, in place.
export function runningSums(seq) {
  for (let i = 1; i < seq.length; i++) seq[i] += seq[i - 1];
}

// _TestSharedCTypes._double
export function double(x, y, z, arr, string) {
  x.value *= 2;
  y.value *= 2;
  z.value *= 2n;
  string.value = string.value.repeat(2);
  for (let i = 0; i < arr.length; i++) arr[i] *= 2;
}
