//! The HTML course builder's single steps.
