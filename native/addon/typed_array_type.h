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
struct TypedArrayOf;
template <>
struct TypedArrayOf<uint8_t> {
  static constexpr napi_typedarray_type type = napi_uint8_array;
  static constexpr const char* name = "Uint8Array";
};
template <>
struct TypedArrayOf<uint16_t> {
  static constexpr napi_typedarray_type type = napi_uint16_array;
  static constexpr const char* name = "Uint16Array";
};
template <>
struct TypedArrayOf<uint32_t> {
  static constexpr napi_typedarray_type type = napi_uint32_array;
  static constexpr const char* name = "Uint32Array";
};
template <>
struct TypedArrayOf<int32_t> {
  static constexpr napi_typedarray_type type = napi_int32_array;
  static constexpr const char* name = "Int32Array";
};

/** The typed array of a std::vector field's element type. */
template <class Vec>
using TypedArrayOfField = TypedArrayOf<typename std::remove_cv_t<Vec>::value_type>;

}  // namespace lts
