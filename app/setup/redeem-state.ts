/** The redeem form's typed result (the token is never part of it). */
export interface RedeemState {
  formError?: string;
  fieldErrors: { name?: string; email?: string };
  values: { name: string; email: string };
}

export const initialRedeemState: RedeemState = { fieldErrors: {}, values: { name: '', email: '' } };
