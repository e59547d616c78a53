//! The `number_space!` macro: open newtypes for protocol number spaces.

/// Defines an open newtype over an integer with named associated constants.
///
/// Every wire value is representable (the field is public), two equal wire values
/// compare equal, and `Debug`/`Display` name the known values.
macro_rules! number_space {
    (
        $(#[$attr:meta])*
        pub struct $name:ident($ty:ty) {
            $(
                $(#[$cattr:meta])*
                $const:ident = $value:expr => $text:expr,
            )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub $ty);

        impl $name {
            $(
                $(#[$cattr])*
                pub const $const: Self = Self($value);
            )*

            /// The name of a known value, or `None`.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $(v if v == $value => Some($text),)*
                    _ => None,
                }
            }
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                Self(v)
            }
        }

        impl From<$name> for $ty {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, concat!(stringify!($name), "({:#x})"), self.0),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}", self.0),
                }
            }
        }
    };
}

pub(crate) use number_space;
