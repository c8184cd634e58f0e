# FindCAF.cmake: locates the C++ Actor Framework as packaged by Debian 12
# (libcaf-dev 0.17.6), which ships neither CMake package files nor a
# pkg-config file. Creates the IMPORTED targets CAF::core and CAF::io.
#
# We insist on 0.17.6 because the project is written against its API
# (replies_to<...>::with<...>, atom_constant, INI configuration), which
# differs from CAF 0.18 and 1.x in ways that compile but behave differently.

find_path(CAF_INCLUDE_DIR NAMES caf/config.hpp)
find_library(CAF_CORE_LIBRARY NAMES caf_core)
find_library(CAF_IO_LIBRARY NAMES caf_io)

if(CAF_INCLUDE_DIR AND EXISTS "${CAF_INCLUDE_DIR}/caf/config.hpp")
  file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_version_line
       REGEX "^#define CAF_VERSION [0-9]+")
  string(REGEX REPLACE "^#define CAF_VERSION ([0-9]+).*" "\\1"
         CAF_VERSION_NUMBER "${_caf_version_line}")
  math(EXPR _caf_major "${CAF_VERSION_NUMBER} / 10000")
  math(EXPR _caf_minor "(${CAF_VERSION_NUMBER} / 100) % 100")
  math(EXPR _caf_patch "${CAF_VERSION_NUMBER} % 100")
  set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CAF
  REQUIRED_VARS CAF_INCLUDE_DIR CAF_CORE_LIBRARY CAF_IO_LIBRARY
  VERSION_VAR CAF_VERSION)

if(CAF_FOUND AND NOT CAF_VERSION_NUMBER EQUAL 1706)
  message(FATAL_ERROR
    "citytwin needs CAF 0.17.6 (CAF_VERSION 1706), found ${CAF_VERSION}. "
    "Install Debian 12's libcaf-dev.")
endif()

if(CAF_FOUND AND NOT TARGET CAF::core)
  find_package(Threads REQUIRED)
  add_library(CAF::core UNKNOWN IMPORTED)
  set_target_properties(CAF::core PROPERTIES
    IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
  add_library(CAF::io UNKNOWN IMPORTED)
  set_target_properties(CAF::io PROPERTIES
    IMPORTED_LOCATION "${CAF_IO_LIBRARY}"
    INTERFACE_LINK_LIBRARIES CAF::core)
endif()

mark_as_advanced(CAF_INCLUDE_DIR CAF_CORE_LIBRARY CAF_IO_LIBRARY)
