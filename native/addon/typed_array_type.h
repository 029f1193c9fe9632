// The JS typed array that carries a C++ element type across N-API, decided by the type itself:
// a batch field's JS array type (watcher_object.cc CallJs) and the layout the addon reports
// (`watcherAbi.recordFields`, checked by test/watcher/abi.test.ts) both come from here, so
// changing a field's C++ type changes both together.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <type_traits>

namespace lts {

template <class T>
inline constexpr bool kNoTypedArray = false;

/** The typed array type for element type T (a compile error for a type JS has none for). */
template <class T>
constexpr napi_typedarray_type typedArrayType() {
  if constexpr (std::is_same_v<T, uint8_t>) return napi_uint8_array;
  else if constexpr (std::is_same_v<T, uint16_t>) return napi_uint16_array;
  else if constexpr (std::is_same_v<T, uint32_t>) return napi_uint32_array;
  else if constexpr (std::is_same_v<T, int32_t>) return napi_int32_array;
  else static_assert(kNoTypedArray<T>, "no JS typed array for this element type");
}

/** The JS constructor name of a typed array type, as TypeScript spells it. */
constexpr const char* typedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_uint8_array: return "Uint8Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_int32_array: return "Int32Array";
    default: return "unsupported";
  }
}

/** The typed array type of a std::vector field's elements. */
template <class Vec>
constexpr napi_typedarray_type fieldArrayType() {
  return typedArrayType<typename std::remove_cv_t<Vec>::value_type>();
}

}  // namespace lts
